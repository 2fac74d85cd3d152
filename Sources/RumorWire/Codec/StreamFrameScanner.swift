/// Finds where the first message of an incoming stream ends, reading each
/// byte about once however the stream is cut into reads, so that a
/// receiver decodes the message once, when it is whole, instead of
/// decoding everything received so far after every read.
///
/// It knows only the framing (`StreamCodec`'s layers and the shape of each
/// stream message), not the fields: a label header; then either an
/// encrypted blob (`0x0a | length:u32be`), a compressed message (one
/// msgpack value), a push-pull (header map, `Nodes` msgpack values,
/// `UserStateLen` raw bytes), a user message (header map, `UserMsgLen`
/// raw bytes), or any other message (one msgpack value). Values are
/// skipped without recursion, one header at a time, and the scan resumes
/// where the last read ended. What it cannot frame it reports as an error
/// for the decoder to describe.
public struct StreamFrameScanner: Sendable {
  /// Where the scan of a stream stands.
  public enum Progress: Hashable, Sendable {
    /// The first message is whole: it takes this many bytes.
    case complete(Int)
    /// More bytes are needed: the message takes at least this many in all.
    case needMore(atLeast: Int)
  }

  private enum Stage: Hashable, Sendable {
    /// Before the optional label header.
    case label
    /// At the envelope's first byte.
    case envelope
    /// Skipping msgpack values, then going on to `after`.
    case values(after: After)
    /// Waiting for the stream to reach `end` bytes.
    case raw(end: Int)
  }

  private enum After: Hashable, Sendable {
    /// The message ends after the values.
    case done
    /// The values were a push-pull header starting at `start`.
    case pushPullHeader(start: Int)
    /// The values were a user message header starting at `start`.
    case userHeader(start: Int)
    /// The values were a push-pull's node states; this much user state follows.
    case userState(Int)
  }

  private let allowLabel: Bool
  private var stage = Stage.label
  /// The first byte not yet accounted for.
  private var position = 0
  /// How many msgpack values are still to skip in `.values`.
  private var pending = 0

  /// A scanner for a stream from its first byte. `allowLabel` is true for
  /// what a dialer sent (it may start with the label header).
  public init(allowLabel: Bool = true) {
    self.allowLabel = allowLabel
  }

  /// Scans `bytes` (everything received so far on the stream, the same
  /// bytes as before plus any new ones) from where the last call stopped.
  public mutating func scan(_ bytes: [UInt8]) throws(WireError) -> Progress {
    while true {
      switch stage {
      case .label:
        guard let first = bytes.first else { return .needMore(atLeast: 1) }
        if allowLabel && first == MessageType.hasLabel.rawValue {
          guard bytes.count >= 2 else { return .needMore(atLeast: 2) }
          guard bytes[1] > 0 else { throw WireError(.label, "label header has length 0", at: 0) }
          position = 2 + Int(bytes[1])
        }
        stage = .envelope
      case .envelope:
        guard position < bytes.count else { return .needMore(atLeast: position + 1) }
        let start = position
        let type = bytes[start]
        position += 1
        switch MessageType(rawValue: type) {
        case .encrypt:
          guard bytes.count >= start + 5 else {
            position = start
            return .needMore(atLeast: start + 5)
          }
          var length = 0
          for byte in bytes[(start + 1)..<(start + 5)] { length = length << 8 | Int(byte) }
          guard length <= StreamCodec.maximumEncryptedSize else {
            throw WireError(
              .tooLarge, "encrypted stream message announces \(length) bytes", at: start)
          }
          stage = .raw(end: start + 5 + length)
        case .pushPull:
          (stage, pending) = (.values(after: .pushPullHeader(start: position)), 1)
        case .user:
          (stage, pending) = (.values(after: .userHeader(start: position)), 1)
        case nil:
          // Not a message: the decoder says so at once.
          return .complete(position)
        default:
          // Compressed, or a message of one msgpack value.
          (stage, pending) = (.values(after: .done), 1)
        }
      case .values(let after):
        if let needed = try skipValues(bytes, then: after) { return .needMore(atLeast: needed) }
        switch after {
        case .done:
          return .complete(position)
        case .pushPullHeader(let start):
          let (nodes, userState) = try Self.pushPullHeader(bytes, start..<position)
          (stage, pending) = (.values(after: .userState(userState)), nodes)
        case .userHeader(let start):
          stage = .raw(end: position + (try Self.userMessageHeader(bytes, start..<position)))
        case .userState(let count):
          stage = .raw(end: position + count)
        }
      case .raw(let end):
        return end <= bytes.count ? .complete(end) : .needMore(atLeast: end)
      }
    }
  }

  /// Skips the `pending` values that start at `position`; returns nil
  /// once they are all there, or a lower bound on the stream's length.
  private mutating func skipValues(_ bytes: [UInt8], then after: After) throws(WireError) -> Int? {
    var rawAfter = 0
    if case .userState(let count) = after { rawAfter = count }
    // Walked on locals and through a buffer pointer: this loop runs once
    // per value of every request, and must stay cheap in debug builds too.
    // Every index is checked against `count` before it is read.
    var position = self.position
    var pending = self.pending
    defer {
      self.position = position
      self.pending = pending
    }
    return try bytes.withUnsafeBufferPointer { (buffer) throws(WireError) -> Int? in
      let count = buffer.count
      while pending > 0 {
        let start = position
        guard start < count else { return start + pending + rawAfter }
        let format = buffer[start]
        // The header's own length, and what the header says follows it:
        // payload bytes, or values (a container's elements).
        var headerLength = 1
        var payload = 0
        var elements = 0
        switch format {
        case 0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3: break
        case 0xa0...0xbf: payload = Int(format & 0x1f)
        case 0x80...0x8f: elements = 2 * Int(format & 0x0f)
        case 0x90...0x9f: elements = Int(format & 0x0f)
        case 0xcc, 0xd0: payload = 1
        case 0xcd, 0xd1: payload = 2
        case 0xce, 0xd2, 0xca: payload = 4
        case 0xcf, 0xd3, 0xcb: payload = 8
        case 0xd4: payload = 2
        case 0xd5: payload = 3
        case 0xd6: payload = 5
        case 0xd7: payload = 9
        case 0xd8: payload = 17
        default:
          // A length or count of `width` bytes follows the format byte
          // (and, for extensions, a type byte after it).
          let width: Int
          var extra = 0
          var isCount = false
          var pairs = false
          switch format {
          case 0xd9, 0xc4: width = 1
          case 0xda, 0xc5: width = 2
          case 0xdb, 0xc6: width = 4
          case 0xc7: (width, extra) = (1, 1)
          case 0xc8: (width, extra) = (2, 1)
          case 0xc9: (width, extra) = (4, 1)
          case 0xdc: (width, isCount) = (2, true)
          case 0xdd: (width, isCount) = (4, true)
          case 0xde: (width, isCount, pairs) = (2, true, true)
          case 0xdf: (width, isCount, pairs) = (4, true, true)
          default:
            throw WireError(
              .malformed, "\(MessagePackReader.describe(format)) is not a msgpack value", at: start)
          }
          headerLength = 1 + width + extra
          guard start + 1 + width <= count else {
            return start + headerLength + pending - 1 + rawAfter
          }
          var length = 0
          for index in (start + 1)..<(start + 1 + width) {
            length = length << 8 | Int(buffer[index])
          }
          if isCount {
            elements = pairs ? 2 * length : length
          } else {
            payload = length
          }
        }
        let end = start + headerLength + payload
        // Every element takes a byte at least: the bound is what the stream
        // must hold, so a receiver can refuse an impossible count at once.
        guard end <= count else { return end + pending - 1 + elements + rawAfter }
        position = end
        pending += elements - 1
        // Each value takes a byte; more than a terabyte's worth is no stream.
        guard pending < 1 << 40 else {
          throw WireError(.tooLarge, "stream message announces \(pending) values", at: start)
        }
      }
      return nil
    }
  }

  /// The push-pull header's node count and user state length, checked
  /// as `PushPullReader` checks them.
  private static func pushPullHeader(_ bytes: [UInt8], _ range: Range<Int>) throws(WireError)
    -> (nodes: Int, userState: Int)
  {
    var reader = MessagePackReader(bytes[range])
    var nodes = 0
    var userState = 0
    try reader.readStruct(PushPull.headerKeys) { (field, index) throws(WireError) in
      switch index {
      case 0: nodes = try field.readSigned(Int.self)
      case 1: userState = try field.readSigned(Int.self)
      default: _ = try field.readBool()
      }
    }
    guard (0...PushPull.maximumStates).contains(nodes) else {
      throw WireError(.tooLarge, "push-pull announces \(nodes) node states", at: range.lowerBound)
    }
    guard (0...PushPull.maximumUserStateSize).contains(userState) else {
      throw WireError(
        .tooLarge, "push-pull announces \(userState) bytes of user state", at: range.lowerBound)
    }
    return (nodes, userState)
  }

  /// A stream user message header's payload length.
  private static func userMessageHeader(_ bytes: [UInt8], _ range: Range<Int>) throws(WireError)
    -> Int
  {
    var reader = MessagePackReader(bytes[range])
    var length = 0
    try reader.readStruct([StructKey("UserMsgLen")]) { (field, _) throws(WireError) in
      length = try field.readSigned(Int.self)
    }
    guard (0...UserMessage.maximumStreamSize).contains(length) else {
      throw WireError(.tooLarge, "user message announces \(length) bytes", at: range.lowerBound)
    }
    return length
  }
}
