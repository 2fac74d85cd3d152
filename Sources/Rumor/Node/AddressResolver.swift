import Dispatch
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Turns "host:port" text into addresses: numeric hosts directly, names
/// through the system resolver (every address a name resolves to, so a
/// Kubernetes headless service joins all its pods).
public enum AddressResolver {
  /// Splits "host:port", "[v6]:port", "host" (default port) into parts.
  public static func split(_ text: String, defaultPort: UInt16) throws(TransportError) -> (
    host: String, port: UInt16
  ) {
    let trimmed = text.trimmingWhitespace()
    guard !trimmed.isEmpty else { throw TransportError("an address is empty") }
    if trimmed.hasPrefix("[") {
      guard let close = trimmed.firstIndex(of: "]") else {
        throw TransportError("'\(text)': an IPv6 address needs its closing ']'")
      }
      let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
      let rest = trimmed[trimmed.index(after: close)...]
      guard !rest.isEmpty else { return (host, defaultPort) }
      guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else {
        throw TransportError("'\(text)': the port must be a number from 0 to 65535")
      }
      return (host, port)
    }
    let colons = trimmed.filter { $0 == ":" }.count
    if colons == 0 { return (trimmed, defaultPort) }
    if colons > 1 {
      // A bare IPv6 address without a port.
      return (trimmed, defaultPort)
    }
    guard let colon = trimmed.lastIndex(of: ":") else { return (trimmed, defaultPort) }
    let host = String(trimmed[..<colon])
    guard !host.isEmpty else { throw TransportError("'\(text)': the host is missing") }
    guard let port = UInt16(trimmed[trimmed.index(after: colon)...]) else {
      throw TransportError("'\(text)': the port must be a number from 0 to 65535")
    }
    return (host, port)
  }

  /// The addresses of `text` right now, without blocking the caller's
  /// thread on DNS (the lookup runs on a global queue).
  public static func resolve(_ text: String, defaultPort: UInt16) async throws(TransportError)
    -> [NodeAddress]
  {
    let (host, port) = try split(text, defaultPort: defaultPort)
    if let bytes = IPAddress.parse(host), let address = NodeAddress(ip: bytes, port: port) {
      return [address]
    }
    let outcome: Result<[NodeAddress], TransportError> = await withCheckedContinuation {
      continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: lookUp(host, port: port))
      }
    }
    return try outcome.get()
  }

  /// Every IPv4 and IPv6 address of `host`, deduplicated, in the
  /// resolver's order.
  static func lookUp(_ host: String, port: UInt16) -> Result<[NodeAddress], TransportError> {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &list)
    guard status == 0 else {
      return .failure(
        TransportError("cannot resolve '\(host)': \(String(cString: gai_strerror(status)))"))
    }
    defer { freeaddrinfo(list) }
    var addresses: [NodeAddress] = []
    var entry = list
    while let current = entry {
      if let raw = current.pointee.ai_addr {
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
          target.copyMemory(
            from: UnsafeRawBufferPointer(start: raw, count: Int(current.pointee.ai_addrlen)))
        }
        if var address = SocketAddress.address(from: storage) {
          address.port = port
          if !addresses.contains(address) { addresses.append(address) }
        }
      }
      entry = current.pointee.ai_next
    }
    guard !addresses.isEmpty else {
      return .failure(TransportError("'\(host)' resolves to no IPv4 or IPv6 address"))
    }
    return .success(addresses)
  }

  /// The first private (RFC 1918 or unique-local) address of this
  /// machine, else any non-loopback one, else 127.0.0.1: what to advertise
  /// when listening on 0.0.0.0 without an explicit advertise address.
  static func defaultAdvertiseHost() -> [UInt8] {
    var list: UnsafeMutablePointer<ifaddrs>?
    guard getifaddrs(&list) == 0 else { return [127, 0, 0, 1] }
    defer { freeifaddrs(list) }
    var fallback: [UInt8]?
    var entry = list
    while let current = entry {
      defer { entry = current.pointee.ifa_next }
      guard let raw = current.pointee.ifa_addr, Int32(raw.pointee.sa_family) == AF_INET else {
        continue
      }
      let bytes = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
        withUnsafeBytes(of: ipv4.pointee.sin_addr) { Array($0) }
      }
      guard bytes.count == 4, bytes[0] != 127 else { continue }
      let isPrivate =
        bytes[0] == 10 || (bytes[0] == 172 && (16...31).contains(bytes[1]))
        || (bytes[0] == 192 && bytes[1] == 168)
      if isPrivate { return bytes }
      fallback = fallback ?? bytes
    }
    return fallback ?? [127, 0, 0, 1]
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  func trimmingWhitespace() -> String {
    var characters = Substring(self)
    while let first = characters.first, first == " " || first == "\t" { characters.removeFirst() }
    while let last = characters.last, last == " " || last == "\t" { characters.removeLast() }
    return String(characters)
  }
}
