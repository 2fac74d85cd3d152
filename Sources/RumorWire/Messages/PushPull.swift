/// A full state exchange over a stream (message type 6): anti-entropy and
/// join. The body is a header, `states.count` node states, then
/// `userState` as raw bytes (Serf's own push-pull for Serf peers).
public struct PushPull: Hashable, Sendable {
  /// Receive limit on the number of node states (memberlist's).
  public static let maximumStates = 1 << 20
  /// Receive limit on the user state (memberlist's 20 MiB).
  public static let maximumUserStateSize = 20 << 20

  /// Whether this exchange is a join (the acceptor echoes the dialer's value).
  public var join: Bool
  /// Every member the sender knows, itself and unreaped dead ones included.
  public var states: [PushNodeState]
  /// The delegate's state, appended raw.
  public var userState: [UInt8]

  /// Creates a push-pull message.
  public init(join: Bool = false, states: [PushNodeState] = [], userState: [UInt8] = []) {
    self.join = join
    self.states = states
    self.userState = userState
  }

  static let headerKeys = [
    StructKey("Nodes"), StructKey("UserStateLen"), StructKey("Join"),
  ]

  /// Reads the header, the states and the user state that follow type byte 6.
  init(from reader: inout MessagePackReader) throws(WireError) {
    var body = try PushPullReader(reader)
    var states: [PushNodeState] = []
    // Each real state takes well over 8 bytes: a count the input cannot
    // hold reserves no more than the input can.
    states.reserveCapacity(min(body.stateCount, body.reader.remainingCount / 8))
    while let state = try body.next() {
      states.append(PushNodeState(state))
    }
    let userState = try body.userState()
    reader = body.reader
    self.init(join: body.join, states: states, userState: Array(userState))
  }

  func encode(into writer: inout MessagePackWriter) {
    Self.writeHeader(
      into: &writer, join: join, stateCount: states.count, userStateCount: userState.count)
    for state in states {
      state.encode(into: &writer)
    }
    writer.bytes.append(contentsOf: userState)
  }

  static func writeHeader(
    into writer: inout MessagePackWriter, join: Bool, stateCount: Int, userStateCount: Int
  ) {
    let keys = headerKeys
    writer.writeMapHeader(count: 3)
    writer.writeKey(keys[2])
    writer.writeBool(join)
    writer.writeKey(keys[0])
    writer.writeGoInt(Int64(stateCount))
    writer.writeKey(keys[1])
    writer.writeGoInt(Int64(userStateCount))
  }
}

/// Reads a push-pull body one member at a time, without building arrays
/// for each member: a 10,000-member exchange then costs no allocation
/// per member (the simulator does hundreds of thousands of them).
public struct PushPullReader: Sendable {
  /// Whether the exchange is a join.
  public let join: Bool
  /// How many node states the header announces.
  public let stateCount: Int
  private let userStateLength: Int
  private var statesRead = 0
  /// Positioned after what has been read.
  public private(set) var reader: MessagePackReader

  /// Reads the header of a push-pull body (what follows type byte 6).
  public init(_ body: MessagePackReader) throws(WireError) {
    var reader = body
    var nodes = 0
    var userStateLength = 0
    var join = false
    let headerStart = reader.position
    try reader.readStruct(PushPull.headerKeys) { (field, index) throws(WireError) in
      switch index {
      case 0: nodes = try field.readSigned(Int.self)
      case 1: userStateLength = try field.readSigned(Int.self)
      default: join = try field.readBool()
      }
    }
    guard (0...PushPull.maximumStates).contains(nodes) else {
      throw WireError(.tooLarge, "push-pull announces \(nodes) node states", at: headerStart)
    }
    guard (0...PushPull.maximumUserStateSize).contains(userStateLength) else {
      throw WireError(
        .tooLarge, "push-pull announces \(userStateLength) bytes of user state", at: headerStart)
    }
    // A count the bytes cannot hold is not refused here: whether the
    // message is cut short (more bytes may come) or whole with states that
    // are not states (malformed) shows when the states are read, one at a
    // time, each taking at least a byte. Deciding here would call a whole
    // message truncated, which tells a stream reader to wait for more.
    self.join = join
    self.stateCount = nodes
    self.userStateLength = userStateLength
    self.reader = reader
  }

  /// The next node state, or nil after the last one.
  public mutating func next() throws(WireError) -> PushNodeStateView? {
    guard statesRead < stateCount else { return nil }
    statesRead += 1
    var view = PushNodeStateView()
    try reader.readStruct(PushNodeState.keys) { (field, index) throws(WireError) in
      switch index {
      case 0: view.name = try field.readString()
      case 1: view.addr = try field.readBytes() ?? []
      case 2: view.port = try field.readUnsigned(UInt16.self)
      case 3: view.meta = try field.readBytes() ?? []
      case 4: view.incarnation = try field.readUnsigned(UInt32.self)
      case 5: view.stateCode = try field.readSigned(Int64.self)
      default: view.vsn = try field.readBytes() ?? []
      }
    }
    return view
  }

  /// The user state; call after the last node state.
  public mutating func userState() throws(WireError) -> ArraySlice<UInt8> {
    while try next() != nil {}
    return try reader.readSlice(count: userStateLength)
  }
}

/// One node state as read, its byte fields still slices of the input.
public struct PushNodeStateView: Sendable {
  /// The member's name.
  public var name = ""
  /// Its advertised IP bytes.
  public var addr: ArraySlice<UInt8> = []
  /// Its advertised port.
  public var port: UInt16 = 0
  /// Its metadata.
  public var meta: ArraySlice<UInt8> = []
  /// Its incarnation.
  public var incarnation: UInt32 = 0
  /// The state code as sent.
  public var stateCode: Int64 = 0
  /// Its version bytes.
  public var vsn: ArraySlice<UInt8> = []

  /// The state, or nil for a code memberlist does not define.
  public var state: WireMemberState? { WireMemberState(rawValue: stateCode) }

  /// Whether name, metadata and version bytes are within `MemberLimits`;
  /// a receiver skips (and counts) a state that is not, and merges the rest.
  public var isWithinLimits: Bool {
    MemberLimits.accepts(name: name, meta: meta.count, versions: vsn.count)
  }
}

/// Writes a push-pull message member by member from values the caller
/// already holds, without building a `PushNodeState` (and its arrays) for
/// each: how a node sends its view of thousands of members.
public struct PushPullWriter: Sendable {
  private var writer: MessagePackWriter

  /// Starts the message: type byte and header for `stateCount` states.
  public init(join: Bool, stateCount: Int, userStateCount: Int, intStyle: GoIntStyle = .legacy) {
    // A state takes about 70 bytes besides its name and metadata: room
    // for 96 saves growing (and copying) a large message as it is written.
    writer = MessagePackWriter(capacity: 16 + stateCount * 96 + userStateCount, intStyle: intStyle)
    writer.bytes.append(MessageType.pushPull.rawValue)
    PushPull.writeHeader(
      into: &writer, join: join, stateCount: stateCount, userStateCount: userStateCount)
  }

  /// Appends one member's state; call exactly `stateCount` times.
  public mutating func appendState(
    name: String, address: NodeAddress, meta: [UInt8], incarnation: UInt32,
    state: WireMemberState, versions: ProtocolVersions
  ) {
    PushNodeState.write(
      into: &writer, name: name, port: address.port, meta: meta, incarnation: incarnation,
      stateCode: state.rawValue, addr: { $0.writeIP(address) }, vsn: { $0.writeVersions(versions) })
  }

  /// The whole message (type byte included), with `userState` appended;
  /// it must be `userStateCount` bytes. Consumes the writer, so that the
  /// states written are not copied again.
  public consuming func finish(userState: [UInt8]) -> [UInt8] {
    writer.bytes.append(contentsOf: userState)
    return writer.bytes
  }
}

/// The state of one member as pushed in a `PushPull`.
public struct PushNodeState: Hashable, Sendable, WireStruct {
  /// The member's name.
  public var name: String
  /// Its advertised IP, 4 or 16 bytes.
  public var addr: [UInt8]
  /// Its advertised port.
  public var port: UInt16
  /// Its metadata (Serf tags).
  public var meta: [UInt8]
  /// Its incarnation.
  public var incarnation: UInt32
  /// The state code as sent (a Go `int`); see `state`.
  public var stateCode: Int64
  /// Its six version bytes.
  public var vsn: [UInt8]

  /// Creates a node state.
  public init(
    name: String = "", addr: [UInt8] = [], port: UInt16 = 0, meta: [UInt8] = [],
    incarnation: UInt32 = 0, state: WireMemberState = .alive, vsn: [UInt8] = []
  ) {
    self.name = name
    self.addr = addr
    self.port = port
    self.meta = meta
    self.incarnation = incarnation
    self.stateCode = state.rawValue
    self.vsn = vsn
  }

  init() { self.init(name: "") }

  /// The state, or nil for a code memberlist does not define (Go ignores those).
  public var state: WireMemberState? { WireMemberState(rawValue: stateCode) }

  static let keys = [
    StructKey("Name"), StructKey("Addr"), StructKey("Port"), StructKey("Meta"),
    StructKey("Incarnation"), StructKey("State"), StructKey("Vsn"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: name = try reader.readString()
    case 1: addr = try reader.readByteArray()
    case 2: port = try reader.readUnsigned(UInt16.self)
    case 3: meta = try reader.readByteArray()
    case 4: incarnation = try reader.readUnsigned(UInt32.self)
    case 5: stateCode = try reader.readSigned(Int64.self)
    default: vsn = try reader.readByteArray()
    }
  }

  /// A state made of a view's slices.
  public init(_ view: PushNodeStateView) {
    name = view.name
    addr = Array(view.addr)
    port = view.port
    meta = Array(view.meta)
    incarnation = view.incarnation
    stateCode = view.stateCode
    vsn = Array(view.vsn)
  }

  func encode(into writer: inout MessagePackWriter) {
    Self.write(
      into: &writer, name: name, port: port, meta: meta, incarnation: incarnation,
      stateCode: stateCode, addr: { $0.writeBytesOrNil(addr) }, vsn: { $0.writeBytesOrNil(vsn) })
  }

  /// Writes one state with sorted keys; `addr` and `vsn` write those two
  /// values, which callers hold in different forms.
  static func write(
    into writer: inout MessagePackWriter, name: String, port: UInt16, meta: [UInt8],
    incarnation: UInt32, stateCode: Int64, addr: (inout MessagePackWriter) -> Void,
    vsn: (inout MessagePackWriter) -> Void
  ) {
    let keys = Self.keys
    writer.writeMapHeader(count: 7)
    writer.writeKey(keys[1])
    addr(&writer)
    writer.writeKey(keys[4])
    writer.writeUnsigned(UInt64(incarnation))
    writer.writeKey(keys[3])
    writer.writeBytesOrNil(meta)
    writer.writeKey(keys[0])
    writer.writeString(name)
    writer.writeKey(keys[2])
    writer.writeUnsigned(UInt64(port))
    writer.writeKey(keys[5])
    writer.writeGoInt(stateCode)
    writer.writeKey(keys[6])
    vsn(&writer)
  }
}

/// Member states as numbered on the wire in push-pull node states.
public enum WireMemberState: Int64, Hashable, Sendable, CaseIterable {
  /// Alive.
  case alive = 0
  /// Suspected of failure.
  case suspect = 1
  /// Declared dead (failed).
  case dead = 2
  /// Left gracefully.
  case left = 3
}
