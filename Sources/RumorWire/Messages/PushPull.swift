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

  private static let headerKeys = [
    StructKey("Nodes"), StructKey("UserStateLen"), StructKey("Join"),
  ]

  /// Reads the header, the states and the user state that follow type byte 6.
  init(from reader: inout MessagePackReader) throws(WireError) {
    var nodes = 0
    var userStateLength = 0
    var join = false
    let headerStart = reader.position
    try reader.readStruct(Self.headerKeys) { (field, index) throws(WireError) in
      switch index {
      case 0: nodes = try field.readSigned(Int.self)
      case 1: userStateLength = try field.readSigned(Int.self)
      default: join = try field.readBool()
      }
    }
    guard (0...Self.maximumStates).contains(nodes) else {
      throw WireError(.tooLarge, "push-pull announces \(nodes) node states", at: headerStart)
    }
    guard (0...Self.maximumUserStateSize).contains(userStateLength) else {
      throw WireError(
        .tooLarge, "push-pull announces \(userStateLength) bytes of user state", at: headerStart)
    }
    // Each state takes well over 8 bytes; a count the input cannot hold is
    // refused before anything is allocated for it.
    guard nodes <= reader.remainingCount / 8 else {
      throw WireError(
        .truncated, "push-pull announces \(nodes) node states in \(reader.remainingCount) bytes",
        at: headerStart)
    }
    var states: [PushNodeState] = []
    states.reserveCapacity(nodes)
    for _ in 0..<nodes {
      states.append(try PushNodeState(from: &reader))
    }
    let userState = Array(try reader.readSlice(count: userStateLength))
    self.init(join: join, states: states, userState: userState)
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.headerKeys
    writer.writeMapHeader(count: 3)
    writer.writeKey(keys[2])
    writer.writeBool(join)
    writer.writeKey(keys[0])
    writer.writeGoInt(Int64(states.count))
    writer.writeKey(keys[1])
    writer.writeGoInt(Int64(userState.count))
    for state in states {
      state.encode(into: &writer)
    }
    writer.bytes.append(contentsOf: userState)
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

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 7)
    writer.writeKey(keys[1])
    writer.writeBytesOrNil(addr)
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
    writer.writeBytesOrNil(vsn)
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
