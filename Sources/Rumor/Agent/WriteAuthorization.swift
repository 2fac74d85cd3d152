import RumorWire

/// Who may use the agent API's writes (tags, services, leave).
///
/// With a token, every write must carry `Authorization: Bearer TOKEN`,
/// from anywhere. Without one, writes are taken from loopback clients
/// only: on a machine, whoever can reach loopback can already run
/// `rumor` as the agent's user; elsewhere nobody can write. Reads need
/// nothing. Tokens are compared in constant time.
public struct WriteAuthorization: Sendable, Hashable {
  /// The token writes must carry; nil for none.
  public var token: String?

  /// Creates the rule.
  public init(token: String?) {
    self.token = token.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Nil when `request` may write; else the status and reason to refuse.
  public func refusal(for request: HTTPRequest) -> (status: Int, reason: String)? {
    if let token {
      let header = request.headers["authorization"] ?? ""
      let prefix = "Bearer "
      guard header.hasPrefix(prefix) else {
        return (401, "writes need Authorization: Bearer TOKEN (the agent's --http-token)")
      }
      guard
        Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(token.utf8))
      else { return (403, "the bearer token is not the agent's") }
      return nil
    }
    guard let client = request.client, Self.isLoopback(client) else {
      return (
        403,
        "writes are taken from loopback only; start the agent with --http-token to allow them from elsewhere"
      )
    }
    return nil
  }

  /// Whether `address` is 127.0.0.0/8 or ::1 (or an IPv4-mapped loopback).
  public static func isLoopback(_ address: NodeAddress) -> Bool {
    let bytes = address.ipBytes
    if bytes.count == 4 { return bytes[0] == 127 }
    guard bytes.count == 16 else { return false }
    if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
    return bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF
      && bytes[12] == 127
  }

  /// Whether `given` equals `expected`, in time that depends on
  /// `expected`'s length only, not on where they first differ.
  public static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
    var difference = UInt64(given.count ^ expected.count)
    for index in 0..<expected.count {
      let byte = index < given.count ? given[index] : ~expected[index]
      difference |= UInt64(byte ^ expected[index])
    }
    return difference == 0
  }
}
