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
  /// When the exchange must be over (nanoseconds, monotonic); for an
  /// inbound stream that has sent nothing yet, when its first bytes must
  /// have come (`InboundLimits.firstBytesTimeout`).
  var deadline: Int64
  /// For an outbound stream with a connect timeout (`deadline` is then
  /// the connect's), when the exchange must be over once connected.
  var deadlineOnceConnected: Int64?
  /// When the connection was made (nanoseconds, monotonic).
  var started: Int64 = 0
  /// Whether any byte has been read.
  var heardFrom = false
  /// Bytes of the inbound stream budget this connection holds (its
  /// buffer's capacity), given back when it ends.
  var charged = 0
  /// Where the request ends, found without decoding it after every read.
  var scanner = StreamFrameScanner()
  /// Close once the write completes (an acceptor's reply).
  var closeAfterWrite = false

  /// The most a peer may send us in reply to a stream we opened before we
  /// give up (memberlist's limit for encrypted stream messages, and then
  /// some for the envelope). Inbound requests have tighter limits
  /// (`InboundLimits`).
  static let maximumIncoming = 21 << 20
}
