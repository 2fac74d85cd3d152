/// The RCODE of a response (RFC 1035 4.1.1), the four bits Rumor uses.
public enum DNSResponseCode: UInt8, Hashable, Sendable, CaseIterable {
  /// No error (an empty answer included).
  case noError = 0
  /// The server could not understand the query.
  case formatError = 1
  /// The server failed.
  case serverFailure = 2
  /// The name does not exist.
  case nameError = 3
  /// The server does not do this kind of query.
  case notImplemented = 4
  /// The server will not answer this query (not its domain).
  case refused = 5

  /// dig's word for it, for counters and metrics labels.
  public var word: String {
    switch self {
    case .noError: "NOERROR"
    case .formatError: "FORMERR"
    case .serverFailure: "SERVFAIL"
    case .nameError: "NXDOMAIN"
    case .notImplemented: "NOTIMP"
    case .refused: "REFUSED"
    }
  }
}
