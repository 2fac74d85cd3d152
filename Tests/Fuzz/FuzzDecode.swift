// libFuzzer target `decode`: RumorWire's whole decode path. Built by
// run.sh with the other targets; RumorWire is compiled with
// -enable-testing, so its internal API is visible through @testable.
//
// Input layout: `mode | payload…`. The low four bits of the first byte
// choose what the payload is fed to (see `FuzzMode`); bit 4 chooses which
// of the two fixed keys is the primary (the one that seals). The other
// bits are ignored, so libFuzzer's mutations of them are harmless. The
// payload is also given to `SerfTags.decode` and `SerfMessage(decoding:)`
// in every mode. docs/fuzzing.md has the table.
//
// With RUMOR_FUZZ_PRINT=1 in the environment every report is printed,
// which shows what a replayed input decodes to.

@testable import RumorWire

#if canImport(Glibc)
  import Glibc
#endif

/// What the payload after the mode byte is decoded as.
enum FuzzMode: UInt8, CaseIterable {
  /// A UDP packet, default options (no label, no keys).
  case packet = 0
  /// A UDP packet, any label accepted (what `rumor decode` does).
  case packetAnyLabel = 1
  /// A UDP packet for a cluster labelled "prod".
  case packetLabel = 2
  /// A UDP packet for an encrypted cluster: the bytes go to the keyring
  /// as they are (real captures authenticate, random bytes do not).
  case packetKeyring = 3
  /// As `packetKeyring` but with `verifyIncoming` off, so plaintext is
  /// accepted after decryption fails (memberlist's migration mode).
  case packetKeyringMigration = 4
  /// The payload is a plaintext packet body; it is sealed with version 0
  /// (PKCS#7 padding) first, so the decrypted-plaintext decoders run.
  case packetSealedV0 = 5
  /// As `packetSealedV0` with version 1.
  case packetSealedV1 = 6
  /// As `packetSealedV1` inside a "prod" label, which is authenticated.
  case packetSealedLabel = 7
  /// One direction of a TCP stream, default options.
  case stream = 8
  /// A stream, any label accepted.
  case streamAnyLabel = 9
  /// A stream for a cluster labelled "prod".
  case streamLabel = 10
  /// A stream for an encrypted cluster, bytes as they are.
  case streamKeyring = 11
  /// The payload is one plaintext stream message, sealed as
  /// `0x0a | length | blob` with version 0 first.
  case streamSealedV0 = 12
  /// As `streamSealedV0` with version 1, behind a "prod" label header.
  case streamSealedLabel = 13
  /// A UDP packet with a 1 KiB decompression limit, so the limit checks in
  /// LZW are reached by small inputs.
  case packetSmallLimit = 14
  /// A stream for an encrypted cluster in migration mode.
  case streamKeyringMigration = 15
}

/// The 16-byte key of the memberlist 0.2.2 encrypted capture (00 01 … 0f),
/// so its packets authenticate in the keyring modes.
let fuzzKey16: [UInt8] = Array(0...15)

/// The 32-byte key of the Serf 0.9.4 encrypted capture
/// (`R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y=`).
let fuzzKey32: [UInt8] = [
  0x47, 0x83, 0x1b, 0xd4, 0xec, 0x17, 0xaf, 0x27, 0x00, 0x79, 0xd3, 0x49, 0xc4, 0x81, 0x18, 0x3d,
  0xea, 0xe5, 0x26, 0x15, 0xcc, 0x90, 0x75, 0xc1, 0x1e, 0x67, 0xb9, 0x88, 0x49, 0x1d, 0x2f, 0xf6,
]

/// A fixed nonce: sealing must be deterministic so a crash reproduces.
let fuzzNonce: [UInt8] = Array(repeating: 0x5a, count: 12)

/// Both keys, either one primary, built once. `Keyring(keys:)` refuses
/// only other key lengths, so both exist; the entry point checks anyway
/// rather than force-unwrapping.
let fuzzKeyrings: [Keyring] = {
  var keyrings: [Keyring] = []
  for keys in [[fuzzKey16, fuzzKey32], [fuzzKey32, fuzzKey16]] {
    if let keyring = try? Keyring(keys: keys) { keyrings.append(keyring) }
  }
  return keyrings
}()

/// The `decode` target. Never traps on any input; decode errors are the
/// expected outcome for most of them.
func fuzzDecode(_ input: [UInt8]) {
  guard let selector = input.first, fuzzKeyrings.count == 2,
    let mode = FuzzMode(rawValue: selector & 0x0f)
  else { return }
  let payload = Array(input.dropFirst())
  let keyring = fuzzKeyrings[Int(selector >> 4) & 1]

  _ = try? SerfTags.decode(payload)
  _ = try? SerfMessage(decoding: payload[...])

  switch mode {
  case .packet:
    consume(Inspector.inspectPacket(payload, options: WireOptions()))
  case .packetAnyLabel:
    consume(Inspector.inspectPacket(payload, options: WireOptions(acceptsAnyLabel: true)))
  case .packetLabel:
    consume(Inspector.inspectPacket(payload, options: WireOptions(label: "prod")))
  case .packetKeyring:
    consume(Inspector.inspectPacket(payload, options: WireOptions(keyring: keyring)))
  case .packetKeyringMigration:
    consume(
      Inspector.inspectPacket(
        payload, options: WireOptions(keyring: keyring, verifyIncoming: false)))
  case .packetSealedV0:
    decodeSealedPacket(payload, keyring: keyring, version: 0, label: "")
  case .packetSealedV1:
    decodeSealedPacket(payload, keyring: keyring, version: 1, label: "")
  case .packetSealedLabel:
    decodeSealedPacket(payload, keyring: keyring, version: 1, label: "prod")
  case .stream:
    consume(Inspector.inspectStream(payload, options: WireOptions()))
  case .streamAnyLabel:
    consume(Inspector.inspectStream(payload, options: WireOptions(acceptsAnyLabel: true)))
  case .streamLabel:
    consume(Inspector.inspectStream(payload, options: WireOptions(label: "prod")))
  case .streamKeyring:
    consume(Inspector.inspectStream(payload, options: WireOptions(keyring: keyring)))
  case .streamSealedV0:
    decodeSealedStream(payload, keyring: keyring, version: 0, label: "")
  case .streamSealedLabel:
    decodeSealedStream(payload, keyring: keyring, version: 1, label: "prod")
  case .packetSmallLimit:
    consume(
      Inspector.inspectPacket(
        payload, options: WireOptions(decompressionLimit: 1024, acceptsAnyLabel: true)))
  case .streamKeyringMigration:
    consume(
      Inspector.inspectStream(
        payload, options: WireOptions(keyring: keyring, verifyIncoming: false)))
  }
}

/// Seals `plaintext` as a packet of a cluster with `label` would carry it
/// and decodes the result, so the fuzzer's bytes reach the decoders behind
/// the decryption.
func decodeSealedPacket(_ plaintext: [UInt8], keyring: Keyring, version: UInt8, label: String) {
  guard
    let sealed = try? keyring.seal(
      plaintext, additionalData: Array(label.utf8), version: version, nonce: fuzzNonce)
  else { return }
  let options = WireOptions(label: label, keyring: keyring)
  consume(Inspector.inspectPacket(Label.header(label) + sealed, options: options))
}

/// Seals `plaintext` as one encrypted stream message (`0x0a | u32be length
/// | blob`, authenticated with those five bytes and the label), puts the
/// label header in front as a dialer does, and decodes the stream.
func decodeSealedStream(_ plaintext: [UInt8], keyring: Keyring, version: UInt8, label: String) {
  // The length field is part of the AAD, so it must be known before
  // sealing; version 0 pads to the next multiple of 16.
  let padded = version == 0 ? (plaintext.count / 16 + 1) * 16 : plaintext.count
  let length = UInt32(clamping: 1 + fuzzNonce.count + padded + 16)
  let header: [UInt8] = [
    0x0a, UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
    UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
  ]
  guard
    let sealed = try? keyring.seal(
      plaintext, additionalData: header + Array(label.utf8), version: version, nonce: fuzzNonce)
  else { return }
  let options = WireOptions(label: label, keyring: keyring)
  consume(Inspector.inspectStream(Label.header(label) + header + sealed, options: options))
}

/// Whether to print reports (read once; fuzzing must not pay for it).
let fuzzPrints: Bool = {
  #if canImport(Glibc)
    return getenv("RUMOR_FUZZ_PRINT").map { String(cString: $0) == "1" } ?? false
  #else
    return false
  #endif
}()

/// Renders every part of a report, so the JSON and the error descriptions
/// (offsets, layer chains) are exercised too, and so the optimizer cannot
/// drop the work that built it.
func consume(_ report: Inspector.Report) {
  var total = 0
  for message in report.messages {
    let text = message.text
    total &+= text.utf8.count
    if fuzzPrints { print("message: \(text)") }
  }
  for error in report.errors {
    let text = error.description
    total &+= text.utf8.count
    if fuzzPrints { print("error: \(text)") }
  }
  if total == -1 { print(total) }
}
