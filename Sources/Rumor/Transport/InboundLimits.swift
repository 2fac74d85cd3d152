import RumorWire

/// The bounds on the streams other nodes open to this one: how many at
/// once, from one address, how large, how slow, and how much memory all
/// of them may hold together. A peer that breaks one loses its stream,
/// not the node its memory or CPU; each refusal is counted in
/// `InboundStreamCounters`. The defaults and why: docs/security.md.
struct InboundLimits {
  /// Most inbound streams open at once (memberlist's limit).
  static let maximumStreams = 128
  /// Most inbound streams open at once from one IP address: a single
  /// host cannot take all the slots. Generous, because many nodes may
  /// share an address (agents on one host, tests and benchmarks on
  /// loopback, nodes behind NAT), and a join storm opens one stream each.
  static let maximumPerSource = 16
  /// All inbound stream buffers together (their allocated capacity).
  static let budget = 64 << 20
  /// The smallest per-stream limit, whatever the cluster's size: a join
  /// from a node that knows a cluster this one has not seen yet must fit
  /// (about 10,000 members with Serf tags).
  static let minimumStreamLimit = 4 << 20
  /// Bytes allowed per known member on one stream: a member's state with
  /// the largest metadata (512 B), its name and its Serf state take well
  /// under a kibibyte; twice that leaves room for members we do not know.
  static let bytesPerMember = 2 << 10
  /// Most bytes read from one stream before the loop turns to its other
  /// work (timers, datagrams, other streams); poll reports the rest.
  static let readPerCall = 64 << 10
  /// How long a peer has to send its first bytes (memberlist's dialer
  /// writes as soon as it is connected).
  static let firstBytesTimeout: Int64 = 2_000_000_000

  /// The largest request one stream may send while the node knows
  /// `members` members: at least `minimumStreamLimit`, at most
  /// memberlist's own limit.
  static func streamLimit(members: Int) -> Int {
    let sized = members.multipliedReportingOverflow(by: bytesPerMember)
    let wanted = sized.overflow ? Int.max : sized.partialValue
    return min(Connection.maximumIncoming, max(minimumStreamLimit, wanted))
  }

  /// Why a connection is refused.
  enum Refusal {
    /// `maximumStreams` are open.
    case busy
    /// Its address has `maximumPerSource` open.
    case perSource
  }

  private var perSource: [NodeAddress: Int] = [:]
  /// Inbound streams open.
  private(set) var open = 0
  /// Bytes of buffer the inbound streams hold.
  private(set) var buffered = 0

  /// Takes a slot for a stream from `peer`, or says why not.
  mutating func admit(_ peer: NodeAddress) -> Refusal? {
    guard open < Self.maximumStreams else { return .busy }
    let source = Self.source(peer)
    let count = perSource[source, default: 0]
    guard count < Self.maximumPerSource else { return .perSource }
    perSource[source] = count + 1
    open += 1
    return nil
  }

  /// Gives back the slot of a stream from `peer` and the buffer it held.
  mutating func release(_ peer: NodeAddress, charged: Int) {
    let source = Self.source(peer)
    let count = perSource[source, default: 0]
    perSource[source] = count > 1 ? count - 1 : nil
    open = max(0, open - 1)
    buffered = max(0, buffered - charged)
  }

  /// Charges `bytes` more of buffer to the budget; false (charging
  /// nothing) when that would pass it.
  mutating func charge(_ bytes: Int) -> Bool {
    guard bytes > 0 else { return true }
    guard bytes <= Self.budget - buffered else { return false }
    buffered += bytes
    return true
  }

  /// Gives back `bytes` of buffer a stream no longer holds.
  mutating func refund(_ bytes: Int) {
    buffered = max(0, buffered - max(0, bytes))
  }

  /// The address without the port: what the per-source limit counts.
  private static func source(_ peer: NodeAddress) -> NodeAddress {
    var source = peer
    source.port = 0
    return source
  }
}
