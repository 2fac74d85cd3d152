/// What a `DNSServer` answered, refused and dropped, for metrics: every
/// datagram and every TCP connection lands in at least one count.
public struct DNSServerCounters: Sendable, Hashable {
  /// Queries received over UDP (decoded or not).
  public var udpQueries = 0
  /// Queries received over TCP (decoded or not).
  public var tcpQueries = 0
  /// Responses sent, by RCODE word (`NOERROR`, `NXDOMAIN`, `REFUSED`,
  /// `FORMERR`, `NOTIMP`).
  public var responses: [String: Int] = [:]
  /// UDP responses cut to fit (TC set).
  public var truncated = 0
  /// Messages dropped because they did not decode, by
  /// `DNSDecodeError.kind`.
  public var malformed: [String: Int] = [:]
  /// Messages dropped because they were responses, not queries.
  public var unsolicitedResponses = 0
  /// UDP responses the kernel would not send (a full buffer).
  public var sendFailures = 0
  /// ICMP errors about UDP responses sent (a client gone before its
  /// answer came: a closed port, an unreachable host).
  public var unreachableClients = 0
  /// TCP connections accepted.
  public var tcpConnections = 0
  /// TCP connections closed to make room for a new one (the least
  /// recently active goes first) when `DNSServer.maximumConnections` were
  /// open.
  public var tcpEvicted = 0
  /// TCP connections closed because no whole query came within
  /// `DNSServer.idleTimeout`, or the connection outlived
  /// `DNSServer.connectionLifetime`.
  public var tcpTimeouts = 0
  /// TCP replies that could not be written (the client reset or closed).
  public var tcpRepliesCut = 0

  /// No counts.
  public init() {}

  /// Every message dropped unanswered.
  public var dropped: Int {
    malformed.values.reduce(0, +) + unsolicitedResponses
  }
}
