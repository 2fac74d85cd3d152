/// Where a member listens: an IPv4 or IPv6 address and a port, stored
/// inline (no heap allocation), because every node keeps one per member
/// and the simulator keeps ten thousand nodes of ten thousand members.
public struct NodeAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The 16 address bytes; an IPv4 address sits in the last four.
  private var high: UInt64
  private var low: UInt64
  /// Whether the address is IPv4 (sent as 4 bytes).
  public private(set) var isIPv4: Bool
  /// The port.
  public var port: UInt16

  /// Creates an address from 4 or 16 bytes; nil for other lengths.
  public init?(ip bytes: [UInt8], port: UInt16) {
    self.init(ip: bytes[...], port: port)
  }

  /// Creates an address from 4 or 16 bytes; nil for other lengths.
  public init?(ip bytes: ArraySlice<UInt8>, port: UInt16) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    let start = bytes.startIndex
    switch bytes.count {
    case 4:
      for offset in 0..<4 { low = low << 8 | UInt64(bytes[start + offset]) }
    case 16:
      for offset in 0..<8 {
        high = high << 8 | UInt64(bytes[start + offset])
        low = low << 8 | UInt64(bytes[start + 8 + offset])
      }
    default:
      return nil
    }
    self.high = high
    self.low = low
    self.isIPv4 = bytes.count == 4
    self.port = port
  }

  /// Calls `body` with the address bytes as memberlist sends them (4 for
  /// IPv4, else 16), without allocating.
  public func withIPBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    var words = (high.bigEndian, low.bigEndian)
    return withUnsafeBytes(of: &words) { raw in
      body(isIPv4 ? UnsafeRawBufferPointer(rebasing: raw[12..<16]) : raw)
    }
  }

  /// Creates an IPv4 address from its four numbers.
  public init(ipv4 first: UInt8, _ second: UInt8, _ third: UInt8, _ fourth: UInt8, port: UInt16) {
    high = 0
    low =
      0xffff_ffff
      & (UInt64(first) << 24 | UInt64(second) << 16 | UInt64(third) << 8 | UInt64(fourth))
    isIPv4 = true
    self.port = port
  }

  /// Parses "host:port" with a numeric host ("10.0.0.1:7946",
  /// "[::1]:7946"); nil if it is not one.
  public init?(_ text: String) {
    let host: Substring
    let portText: Substring
    if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { return nil }
      portText = rest.dropFirst()
    } else {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
      if host.contains(":") { return nil }
    }
    guard let port = UInt16(portText), let bytes = IPAddress.parse(String(host)) else { return nil }
    self.init(ip: bytes, port: port)
  }

  /// The address bytes as memberlist sends them: 4 for IPv4, else 16.
  public var ipBytes: [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16)
    for shift in stride(from: 56, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift)))
    }
    for shift in stride(from: 56, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: low >> UInt64(shift)))
    }
    return isIPv4 ? Array(bytes.suffix(4)) : bytes
  }

  /// The host as text ("10.0.0.1", "::1").
  public var host: String { IPAddress.format(ipBytes) }

  /// "10.0.0.1:7946" or "[::1]:7946".
  public var description: String {
    isIPv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
  }

  /// A stable order (address, then port), for deterministic output.
  public static func < (left: NodeAddress, right: NodeAddress) -> Bool {
    (left.high, left.low, left.port) < (right.high, right.low, right.port)
  }
}
