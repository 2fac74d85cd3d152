/// A domain name: its labels as raw bytes, case kept as received (DNS
/// compares names without regard to ASCII case; `lowercasedLabels` is the
/// form to compare).
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
  /// The labels, most specific first; empty for the root.
  public private(set) var labels: [[UInt8]]

  /// The longest a name may be in wire form, root byte included (RFC 1035
  /// 2.3.4).
  public static let maximumLength = 255
  /// The longest a label may be.
  public static let maximumLabel = 63

  /// The root name (".").
  public static let root = DNSName(validLabels: [])

  private init(validLabels: [[UInt8]]) {
    labels = validLabels
  }

  /// A name of `labels`; nil when a label is empty or longer than 63
  /// bytes, or the name would pass 255 bytes.
  public init?(labels: [[UInt8]]) {
    var length = 1
    for label in labels {
      guard !label.isEmpty, label.count <= Self.maximumLabel else { return nil }
      length += label.count + 1
    }
    guard length <= Self.maximumLength else { return nil }
    self.labels = labels
  }

  /// A name from text: labels separated by dots, the final dot optional
  /// ("web.service.rumor." or "web.service.rumor"); "." or "" is the
  /// root. No escapes: a label cannot hold a dot here.
  public init?(_ text: String) {
    let trimmed = text.hasSuffix(".") ? text.dropLast() : Substring(text)
    if trimmed.isEmpty {
      self.init(validLabels: [])
      return
    }
    self.init(
      labels: trimmed.split(separator: ".", omittingEmptySubsequences: false).map {
        Array($0.utf8)
      })
  }

  /// The labels with ASCII letters lower-cased: the form in which names
  /// are compared.
  public var lowercasedLabels: [[UInt8]] { labels.map(Self.lowercased) }

  /// `label` with ASCII letters lower-cased.
  static func lowercased(_ label: [UInt8]) -> [UInt8] {
    label.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
  }

  /// Whether this name equals `other` or lies under it, ignoring case.
  public func isWithin(_ other: DNSName) -> Bool {
    guard labels.count >= other.labels.count else { return false }
    return zip(labels.suffix(other.labels.count), other.labels).allSatisfy {
      Self.lowercased($0) == Self.lowercased($1)
    }
  }

  /// This name with `suffix`'s labels appended; nil when too long.
  public func appending(_ suffix: DNSName) -> DNSName? {
    DNSName(labels: labels + suffix.labels)
  }

  /// The length in wire form, uncompressed.
  public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

  /// The name as dig prints it: labels joined by dots, a final dot; bytes
  /// other than letters, digits, '-' and '_' escaped as `\DDD`.
  public var description: String {
    guard !labels.isEmpty else { return "." }
    var text = ""
    for label in labels {
      for byte in label {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x5F:
          text.unicodeScalars.append(Unicode.Scalar(byte))
        default:
          let digits = String(byte)
          text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
      }
      text += "."
    }
    return text
  }

  /// The most compression pointers one name may follow: a name has at
  /// most 127 labels, and a pointer that adds no label is never needed.
  static let maximumJumps = 127

  /// Decodes the name at `offset` of `message`, following compression
  /// pointers. Returns the name and the offset after it in `message` (after
  /// its first pointer, if it has one).
  ///
  /// Total on any input: every pointer must point before the start of the
  /// labels it continues (strictly backwards, so no loop can form), at
  /// most `maximumJumps` are followed, and the name may not pass 255
  /// bytes.
  static func decode(_ message: [UInt8], at offset: Int) throws(DNSDecodeError) -> (
    DNSName, next: Int
  ) {
    var labels: [[UInt8]] = []
    var position = offset
    var segmentStart = offset
    var next: Int?
    var jumps = 0
    var length = 1
    while true {
      guard position >= 0, position < message.count else { throw .truncated }
      let byte = message[position]
      switch byte & 0xC0 {
      case 0x00:
        if byte == 0 {
          return (DNSName(validLabels: labels), next ?? position + 1)
        }
        let count = Int(byte)
        let start = position + 1
        guard count <= message.count - start else { throw .truncated }
        length += count + 1
        guard length <= maximumLength else { throw .nameTooLong }
        labels.append(Array(message[start..<(start + count)]))
        position = start + count
      case 0xC0:
        guard position + 1 < message.count else { throw .truncated }
        let target = Int(byte & 0x3F) << 8 | Int(message[position + 1])
        if next == nil { next = position + 2 }
        jumps += 1
        guard target < segmentStart, jumps <= maximumJumps else { throw .badPointer }
        segmentStart = target
        position = target
      default:
        throw .badLabelType
      }
    }
  }
}
