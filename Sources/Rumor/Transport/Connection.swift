import RumorCore
import RumorWire

/// One TCP connection the event loop drives from start to close.
///
/// memberlist streams carry one request and at most one reply: the dialer
/// writes its request and reads the reply until the acceptor closes; the
/// acceptor reads until the request is complete, writes its reply and
/// closes.
struct Connection {
  /// Which side of the exchange this node is.
  enum Role {
    /// We dialled, for the core's stream `id`.
    case outbound(id: UInt64)
    /// A peer dialled us.
    case inbound(peer: NodeAddress)
  }

  /// Where the exchange stands.
  enum Phase {
    /// Waiting for a non-blocking connect to finish.
    case connecting
    /// Writing `outgoing`.
    case writing
    /// Reading (the reply, or the request).
    case reading
  }

  let descriptor: Int32
  let role: Role
  var phase: Phase
  /// Bytes to write and how many are written.
  var outgoing: [UInt8] = []
  var written = 0
  /// Bytes read so far.
  var incoming: [UInt8] = []
  /// When the exchange must be over (nanoseconds, monotonic).
  let deadline: Int64
  /// Close once the write completes (an acceptor's reply).
  var closeAfterWrite = false

  /// The most a peer may send us in one stream message before we give up
  /// (memberlist's limit for encrypted stream messages, and then some for
  /// the envelope).
  static let maximumIncoming = 21 << 20
}
