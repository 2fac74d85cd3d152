import Foundation
import Testing

@testable import RumorWire

/// Bytes from hex written in a test (a typo is a test bug, so it traps).
func hex(_ text: String) -> [UInt8] {
  do {
    return try Hex.decode(text)
  } catch {
    fatalError("bad hex in test: \(error)")
  }
}

/// The folder of capture fixtures next to this file.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures")

/// Reads a fixture as text.
func fixtureText(_ name: String) throws -> String {
  try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
}

/// One line of a memberlist 0.2.2 capture log.
struct LoggedTransfer {
  var isStream: Bool
  var isWrite: Bool
  var description: String
  var bytes: [UInt8]
}

/// Parses `captures-ml022*.txt`: `UDP a -> b (addr) LEN: hex` and
/// `TCP node-b dialer WRITE LEN: hex` lines.
func loggedTransfers(_ name: String) throws -> [LoggedTransfer] {
  try fixtureText(name).split(separator: "\n").compactMap { line in
    guard line.hasPrefix("UDP") || line.hasPrefix("TCP"),
      let colon = line.range(of: ": ", options: .backwards)
    else { return nil }
    let description = String(line[..<colon.lowerBound])
    let bytes = try Hex.decode(String(line[colon.upperBound...]))
    let length = Int(description.split(separator: " ").last ?? "") ?? -1
    #expect(length == bytes.count, "length in \(description)")
    return LoggedTransfer(
      isStream: line.hasPrefix("TCP"),
      isWrite: description.contains("WRITE") || line.hasPrefix("UDP"),
      description: description, bytes: bytes)
  }
}

/// One record of a Serf capture's `.jsonl`.
struct CaptureRecord: @unchecked Sendable {
  // @unchecked: the dictionary comes from JSONSerialization and is only read.
  var label: String
  var bytes: [UInt8]
  var isStream: Bool
  var decoded: Any
  var nonce: [UInt8]?
}

/// Reads a Serf capture's records.
func captureRecords(_ name: String) throws -> [CaptureRecord] {
  try fixtureText(name).split(separator: "\n").map { line in
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    if let stream = object["stream_hex"] as? String {
      return CaptureRecord(
        label: "tcp \(object["tcp"] ?? "")", bytes: try Hex.decode(stream), isStream: true,
        decoded: object["decoded"] ?? NSNull(), nonce: nil)
    }
    let payload = try #require(object["payload_hex"] as? String)
    let encryption = object["encryption"] as? [String: Any]
    return CaptureRecord(
      label: "frame \(object["frame"] ?? "?")", bytes: try Hex.decode(payload), isStream: false,
      decoded: object["decoded"] ?? NSNull(),
      nonce: try (encryption?["nonce_hex"] as? String).map { try Hex.decode($0) })
  }
}

// MARK: Re-encoding a decoded packet

/// Rebuilds the plaintext of a packet from our decoding, applying the
/// envelopes each message's route names. Equal to the input when our
/// encoders produce Go's bytes.
func rebuildPlaintext(_ packet: PacketCodec.DecodedPacket) throws -> [UInt8] {
  let body = try rebuild(packet.messages[...], depth: 0)
  return packet.checksum == nil ? body : CRC32.wrap(body)
}

private func rebuild(_ messages: ArraySlice<DecodedMessage>, depth: Int) throws -> [UInt8] {
  guard let first = messages.first else { return [] }
  guard depth < first.route.steps.count else {
    #expect(messages.count == 1)
    return first.message.encoded()
  }
  switch first.route.steps[depth] {
  case .compressed:
    return Compression.wrap(try rebuild(messages, depth: depth + 1))
  case .compoundPart(_, let count):
    var parts: [[UInt8]] = []
    var rest = messages
    for index in 1...count {
      let group = rest.prefix {
        $0.route.steps.count > depth
          && $0.route.steps[depth] == .compoundPart(index: index, count: count)
      }
      parts.append(try rebuild(group, depth: depth + 1))
      rest = rest.dropFirst(group.count)
    }
    return try Compound.encode(parts)
  }
}

// MARK: The Python decoder's JSON conventions

/// Flattens the Python reference decoding into its leaf messages, in order.
func pythonLeaves(_ node: Any) -> [[String: Any]] {
  if let list = node as? [Any] { return list.flatMap(pythonLeaves) }
  guard let dictionary = node as? [String: Any] else { return [] }
  if let parts = dictionary["parts"] as? [Any] { return parts.flatMap(pythonLeaves) }
  if let type = dictionary["type"] as? String, ["hasCrc", "compress", "encrypt"].contains(type),
    let inner = dictionary["inner"]
  {
    return pythonLeaves(inner)
  }
  return [dictionary]
}

private let ipFields: Set<String> = ["Addr", "Target", "SourceAddr"]
private let byteFields: Set<String> = ["Buf", "Payload", "Meta", "Vsn"]

/// A msgpack value as the Python reference prints it: IP fields as
/// `ip:a.b.c.d (hex …)`, byte fields and unprintable text as `hex:…`.
func pythonStyle(_ value: MessagePackValue, key: String? = nil) -> Any {
  switch value {
  case .nil: return NSNull()
  case .bool(let flag): return flag
  case .unsigned(let number):
    return Int(exactly: number).map { NSNumber(value: $0) } ?? NSNumber(value: number)
  case .signed(let number): return NSNumber(value: number)
  case .double(let number): return number
  case .extension: return "extension"
  case .array(let elements): return elements.map { pythonStyle($0, key: key) }
  case .map(let entries):
    var dictionary: [String: Any] = [:]
    for entry in entries {
      let name = entry.key.stringValue ?? "?"
      dictionary[name] = pythonStyle(entry.value, key: name)
    }
    return dictionary
  case .raw(let bytes):
    if let key, ipFields.contains(key), bytes.count == 4 {
      return "ip:\(bytes.map(String.init).joined(separator: ".")) (hex \(Hex.encode(bytes)))"
    }
    if key.map({ !byteFields.contains($0) && !ipFields.contains($0) }) ?? true,
      let text = String(validating: bytes, as: UTF8.self),
      text.unicodeScalars.allSatisfy(isPrintable)
    {
      return text
    }
    return "hex:" + Hex.encode(bytes)
  }
}

private func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
  if scalar == " " { return true }
  switch scalar.properties.generalCategory {
  case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator,
    .paragraphSeparator, .spaceSeparator:
    return false
  default:
    return true
  }
}

/// The msgpack value of a message body, re-encoded by us (so that the
/// comparison checks decoding and encoding together).
func reencodedBody(_ message: Message, transport: Message.Transport = .packet) throws
  -> MessagePackValue
{
  var reader = MessagePackReader(message.encoded(for: transport))
  _ = try reader.readByte()
  return try reader.readValue()
}

/// Whether two JSON-like values are equal.
func sameJSON(_ left: Any, _ right: Any) -> Bool {
  NSDictionary(dictionary: ["v": left]).isEqual(to: ["v": right])
}
