#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Text forms of the raw IP bytes memberlist sends (4 bytes for IPv4, 16
/// for IPv6 or IPv4-mapped IPv6).
public enum IPAddress {
  /// "127.0.0.1", "::1", "::ffff:10.0.0.5"; other lengths as hex.
  public static func format(_ bytes: [UInt8]) -> String {
    let family: Int32
    switch bytes.count {
    case 4: family = AF_INET
    case 16: family = AF_INET6
    default: return "hex:" + Hex.encode(bytes)
    }
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    let formatted = bytes.withUnsafeBytes { raw in
      inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) != nil
    }
    guard formatted else { return "hex:" + Hex.encode(bytes) }
    return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The 4 or 16 bytes of a numeric IPv4 or IPv6 address; nil otherwise.
  public static func parse(_ text: String) -> [UInt8]? {
    var v4 = [UInt8](repeating: 0, count: 4)
    if inet_pton(AF_INET, text, &v4) == 1 { return v4 }
    var v6 = [UInt8](repeating: 0, count: 16)
    if inet_pton(AF_INET6, text, &v6) == 1 { return v6 }
    return nil
  }
}
