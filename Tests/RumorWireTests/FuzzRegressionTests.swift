import Testing

@testable import RumorWire

/// Inputs the libFuzzer target (`Tests/Fuzz`, see docs/fuzzing.md) found,
/// kept byte for byte so the bugs they exposed stay fixed. Each test takes
/// the input through the same path as `Tests/Fuzz/FuzzDecode.swift` did.
@Suite("Fuzzer regressions: inputs that once hung or trapped a decoder")
struct FuzzRegressionTests {
  /// The fuzz target's fixed nonce: its sealing modes must be deterministic.
  let fuzzNonce = [UInt8](repeating: 0x5a, count: 12)

  /// Far above what these inputs take now (milliseconds), far below what
  /// they took before the fix (the 5-second libFuzzer timeout, and
  /// doubling with every level of nesting).
  let timeLimit = Duration.seconds(1)

  @Test("a sealed packet whose Serf coordinate nests map keys in map keys decodes in milliseconds")
  func nestedMapKeysFoundByTheFuzzer() throws {
    // fuzz-out/artifacts/timeout-b8d62fea253409748209e9a3bc88ababd303eef4.
    // Mode byte 0x15: seal the rest with version 0 under the 32-byte key,
    // then decode it as a packet of an encrypted cluster.
    let input = hex(
      "150702009600250282a75061796c6f6164da00820184aa41646a7575746d6c8181818181818181818181"
        + "81818181818181818181810000000000818181818181818181818181656e74cb3f08d907951fd724a545"
        + "72726f72cb3fea67000063696f6ec3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c344"
        + "696374696fc3c3c3c3c3c3c3c3c3c3c3c3c3c3c30000000074000000000000000000a44e6f6465a56361"
        + "702d62")
    #expect(input.count == 171)
    let keyring = try Keyring(keys: [serfCaptureKey, memberlistCaptureKey])
    let sealed = try keyring.seal(
      Array(input.dropFirst()), additionalData: [], version: 0, nonce: fuzzNonce)

    let clock = ContinuousClock()
    let started = clock.now
    let report = Inspector.inspectPacket(sealed, options: WireOptions(keyring: keyring))
    let text = report.messages.map(\.text).joined()
    let elapsed = clock.now - started

    #expect(elapsed < timeLimit, "took \(elapsed)")
    // The compound's second part is cut short: reported, not fatal.
    #expect(report.errors.map(\.kind) == [.truncated])
    #expect(report.messages.count == 1)
    #expect(text.count < 2_000, "\(text.count) characters of JSON")
    #expect(text.contains("\"msgpack:8181"))
  }

  @Test("map keys nested 31 deep, the most the reader allows, render once each as msgpack hex")
  func deepestNestedMapKeys() throws {
    // The fuzzer's input reduced by hand: a plaintext ack (mode byte 0x00)
    // whose payload is Serf's ping version 1 and then 31 maps, each the
    // key of the one around it. Before the fix every level escaped the
    // JSON of the level inside it again, doubling the text each time.
    let payload = [0x01] + [UInt8](repeating: 0x81, count: 31) + [UInt8](repeating: 0, count: 32)
    let input =
      hex("0282a55365714e6f01a75061796c6f6164d9") + [UInt8(payload.count)] + payload

    let clock = ContinuousClock()
    let started = clock.now
    let report = Inspector.inspectPacket(input, options: WireOptions())
    let text = report.messages.map(\.text).joined()
    let elapsed = clock.now - started

    #expect(elapsed < timeLimit, "took \(elapsed)")
    #expect(report.errors.isEmpty)
    #expect(report.messages.count == 1)
    #expect(text.count < 1_000, "\(text.count) characters of JSON")
    // The outer map's only key is the 30 maps inside it, as their bytes.
    let coordinate = report.messages.first?["coordinate"]
    let key = "msgpack:" + String(repeating: "81", count: 30) + String(repeating: "00", count: 31)
    #expect(coordinate == .object([(key, .integer(0))]))
  }

  /// The `stream` fuzz target's input
  /// (fuzz-out/artifacts/stream/crash-7172280fec12bf8101b7e4ea6ccb015ca47229a0)
  /// without its first byte, which only chose how it was cut into reads:
  /// a compressed stream message (`0x09`, `{Algo: 0, Buf: <187 bytes>}`)
  /// whose LZW data has no end code, then eight more bytes.
  static let compressedWithoutEndCode = hex(
    "0982a4416c676f00a3427566da00bb000d0c22a5e44d1a37c24a397943"
      + "a6cc9c01acaacc2923670a9d3074ca3029e306c0215241c89091434a0100"
      + "000256257133268c1c3718d3bc7123805493321781917212a64d19543edb"
      + "88a1d8020629286fe4d069f64141298b18cb001865658e1b53010a081050"
      + "80c0c790234b9e1ca092a54b987464d2b489338c4e9e3e8196114a34c6d1"
      + "a44b9b3ebd98716ad5ab59b776fd2a92a4490004cab67c197366cd9b3977"
      + "2400000000000000f6fc1974a89c1632ee2a65ea146a5faa56b16ae54a20"
      + "20")

  @Test("a whole compressed stream message with LZW data cut short is malformed, not truncated")
  func compressedStreamWithoutEndCode() {
    // Before the fix the LZW error was `.truncated` with no layers, which
    // tells a stream reader that more bytes may complete the message,
    // although its framing (StreamFrameScanner) says it is whole.
    let input = Self.compressedWithoutEndCode
    #expect(input.count == 210)
    do throws(WireError) {
      let decoded = try StreamCodec().decode(input[...])
      Issue.record("decoded \(decoded.message), expected an error")
    } catch {
      #expect(!(error.kind == .truncated && error.layers.isEmpty), "\(error)")
    }
    var scanner = StreamFrameScanner()
    #expect((try? scanner.scan(input)) == .complete(202))
  }

  @Test("a whole push-pull whose announced states are single bytes is malformed, not truncated")
  func pushPullWithTinyStates() {
    // fuzz-out/artifacts/stream/crash-98b288e0fb88197df3d4d5ff377ccd8c030ce772
    // without its first byte (the chunking): a push-pull whose header is
    // the array [9] (Nodes = 9), then nine one- or two-byte values, and
    // two more bytes. The scanner finds it whole at 13 bytes. Before the
    // fix the reader refused the count up front as `.truncated` (nine
    // states cannot fit in 12 bytes), which tells a stream reader to wait
    // for more bytes although none would help.
    let input = hex("06 91 09 06 91 49 49 fe ff ff ff ff ff ff ff")
    var scanner = StreamFrameScanner()
    #expect((try? scanner.scan(input)) == .complete(13))
    do throws(WireError) {
      let decoded = try StreamCodec().decode(input[...])
      Issue.record("decoded \(decoded.message), expected an error")
    } catch {
      #expect(!(error.kind == .truncated && error.layers.isEmpty), "\(error)")
    }
    // Cut short, the same push-pull still asks for more bytes.
    do throws(WireError) {
      _ = try StreamCodec().decode(input.prefix(3))
      Issue.record("decoded a push-pull header without its states")
    } catch {
      #expect(error.kind == .truncated && error.layers.isEmpty, "\(error)")
    }
  }
}
