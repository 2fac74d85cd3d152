/// Serf's state (Serf type 2), carried as the user state of a memberlist
/// push-pull: its clocks, each member's last status time, who has left,
/// and the ring of recent user events.
///
/// Decoding refuses (`.tooLarge`) state beyond Serf's own sizes, since each
/// element costs far more in memory than on the wire (an empty ring slot is
/// one byte, `0xc0`, and a run of them compresses to almost nothing): at
/// most `maximumEventSlots` ring slots holding `maximumEvents` events in
/// all, and `maximumMembers` status times and left members.
public struct SerfPushPull: Hashable, Sendable, WireStruct {
  /// Most ring slots received: the largest `SerfSettings.eventBufferSize`
  /// (Serf's own `EventBuffer` is 512). 65,536.
  public static let maximumEventSlots = 65_536
  /// Most user events received in all the ring's batches. 65,536.
  public static let maximumEvents = 65_536
  /// Most status times, and most left members, received: memberlist's
  /// push-pull limit on members (`PushPull.maximumStates`), which is also
  /// the largest `SWIMSettings.maxMembers`. 1,048,576.
  public static let maximumMembers = PushPull.maximumStates

  /// The member clock.
  public var lamportTime: UInt64
  /// Each member's last join or leave intent time, in the order received
  /// (built from a dictionary: in name order). A name listed twice counts
  /// with its last time, as when Go decodes the map.
  ///
  /// A list rather than a dictionary: a node merges thousands of these
  /// per join in a large cluster, and Rumor sends them in name order, the
  /// order they are applied in, so no dictionary and no sort is needed.
  public var statusTimes: [SerfStatusTime]

  /// `statusTimes` as a dictionary; set, it replaces them in name order.
  public var statusLamportTimes: [String: UInt64] {
    get {
      Dictionary(statusTimes.lazy.map { ($0.name, $0.time) }, uniquingKeysWith: { _, last in last })
    }
    set { statusTimes = Self.nameOrdered(newValue) }
  }

  /// The status times one per name, in name order: `statusTimes` itself
  /// when it already is (as Rumor sends and builds them).
  public var statusTimesInNameOrder: [SerfStatusTime] {
    var ordered = true
    var index = 1
    while ordered && index < statusTimes.count {
      ordered = statusTimes[index - 1].name < statusTimes[index].name
      index += 1
    }
    return ordered ? statusTimes : Self.nameOrdered(statusLamportTimes)
  }

  private static func nameOrdered(_ times: [String: UInt64]) -> [SerfStatusTime] {
    times.sorted { $0.key < $1.key }.map { SerfStatusTime(name: $0.key, time: $0.value) }
  }
  /// Members that have left.
  public var leftMembers: [String]
  /// The event clock.
  public var eventLamportTime: UInt64
  /// The recent-event ring: Serf sends all 512 slots, nil where empty.
  public var events: [SerfEventBatch?]
  /// The query clock.
  public var queryLamportTime: UInt64

  /// Creates Serf state.
  public init(
    lamportTime: UInt64 = 0, statusLamportTimes: [String: UInt64] = [:], leftMembers: [String] = [],
    eventLamportTime: UInt64 = 0, events: [SerfEventBatch?] = [], queryLamportTime: UInt64 = 0
  ) {
    self.init(
      lamportTime: lamportTime, statusTimes: Self.nameOrdered(statusLamportTimes),
      leftMembers: leftMembers, eventLamportTime: eventLamportTime, events: events,
      queryLamportTime: queryLamportTime)
  }

  /// Creates Serf state from status times as a list (best in name order,
  /// which is how they are sent).
  public init(
    lamportTime: UInt64 = 0, statusTimes: [SerfStatusTime], leftMembers: [String] = [],
    eventLamportTime: UInt64 = 0, events: [SerfEventBatch?] = [], queryLamportTime: UInt64 = 0
  ) {
    self.lamportTime = lamportTime
    self.statusTimes = statusTimes
    self.leftMembers = leftMembers
    self.eventLamportTime = eventLamportTime
    self.events = events
    self.queryLamportTime = queryLamportTime
  }

  /// Equal when every field is, the status times compared as a map (the
  /// order they came in does not count).
  public static func == (lhs: SerfPushPull, rhs: SerfPushPull) -> Bool {
    lhs.lamportTime == rhs.lamportTime && lhs.leftMembers == rhs.leftMembers
      && lhs.eventLamportTime == rhs.eventLamportTime && lhs.events == rhs.events
      && lhs.queryLamportTime == rhs.queryLamportTime
      && lhs.statusTimesInNameOrder == rhs.statusTimesInNameOrder
  }

  /// Hashes what `==` compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(lamportTime)
    hasher.combine(statusTimesInNameOrder)
    hasher.combine(leftMembers)
    hasher.combine(eventLamportTime)
    hasher.combine(events)
    hasher.combine(queryLamportTime)
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [
    StructKey("LTime"), StructKey("StatusLTimes"), StructKey("LeftMembers"),
    StructKey("EventLTime"), StructKey("Events"), StructKey("QueryLTime"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: lamportTime = try reader.readUnsigned(UInt64.self)
    case 1:
      var times: [SerfStatusTime] = []
      if reader.peekByte() == 0xc0 {
        _ = try reader.readByte()
      } else {
        let start = reader.position
        let count = try reader.readMapHeader()
        try Self.check(count, Self.maximumMembers, "status times", at: start)
        times.reserveCapacity(count)
        for _ in 0..<count {
          let name = try reader.readNodeName()
          times.append(SerfStatusTime(name: name, time: try reader.readUnsigned(UInt64.self)))
        }
      }
      statusTimes = times
    case 2:
      let start = reader.position
      let count = try reader.readArrayHeader() ?? 0
      try Self.check(count, Self.maximumMembers, "left members", at: start)
      var names: [String] = []
      for _ in 0..<count { names.append(try reader.readNodeName()) }
      leftMembers = names
    case 3: eventLamportTime = try reader.readUnsigned(UInt64.self)
    case 4:
      let start = reader.position
      let count = try reader.readArrayHeader() ?? 0
      try Self.check(count, Self.maximumEventSlots, "event ring slots", at: start)
      var batches: [SerfEventBatch?] = []
      batches.reserveCapacity(count)
      var total = 0
      for _ in 0..<count {
        if reader.peekByte() == 0xc0 {
          _ = try reader.readByte()
          batches.append(nil)
        } else {
          let batchStart = reader.position
          let batch = try SerfEventBatch(from: &reader)
          total += batch.events.count
          try Self.check(total, Self.maximumEvents, "user events", at: batchStart)
          batches.append(batch)
        }
      }
      events = batches
    default: queryLamportTime = try reader.readUnsigned(UInt64.self)
    }
  }

  /// Refuses a count over `limit`.
  static func check(_ count: Int, _ limit: Int, _ what: String, at offset: Int) throws(WireError) {
    guard count <= limit else {
      throw WireError(
        .tooLarge, "Serf state holds \(count) \(what), over the limit of \(limit)", at: offset)
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 6)
    writer.writeKey(keys[3])
    writer.writeUnsigned(eventLamportTime)
    writer.writeKey(keys[4])
    writer.writeArrayHeader(count: events.count)
    for batch in events {
      if let batch { batch.encode(into: &writer) } else { writer.writeNil() }
    }
    writer.writeKey(keys[0])
    writer.writeUnsigned(lamportTime)
    writer.writeKey(keys[2])
    writer.writeArrayHeader(count: leftMembers.count)
    for name in leftMembers { writer.writeString(name) }
    writer.writeKey(keys[5])
    writer.writeUnsigned(queryLamportTime)
    writer.writeKey(keys[1])
    let ordered = statusTimesInNameOrder
    writer.writeMapHeader(count: ordered.count)
    for entry in ordered {
      writer.writeString(entry.name)
      writer.writeUnsigned(entry.time)
    }
  }
}

/// The user events Serf saw at one event clock time.
public struct SerfEventBatch: Hashable, Sendable, WireStruct {
  /// The event clock time.
  public var lamportTime: UInt64
  /// The events, as (name, payload).
  public var events: [SerfEvent]

  /// Creates a batch.
  public init(lamportTime: UInt64 = 0, events: [SerfEvent] = []) {
    self.lamportTime = lamportTime
    self.events = events
  }

  init() { self.init(lamportTime: 0) }

  static let keys = [StructKey("LTime"), StructKey("Events")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    if index == 0 {
      lamportTime = try reader.readUnsigned(UInt64.self)
      return
    }
    let start = reader.position
    let count = try reader.readArrayHeader() ?? 0
    try SerfPushPull.check(count, SerfPushPull.maximumEvents, "user events", at: start)
    var collected: [SerfEvent] = []
    for _ in 0..<count { collected.append(try SerfEvent(from: &reader)) }
    events = collected
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 2)
    writer.writeKey(Self.keys[1])
    writer.writeArrayHeader(count: events.count)
    for event in events { event.encode(into: &writer) }
    writer.writeKey(Self.keys[0])
    writer.writeUnsigned(lamportTime)
  }
}

/// One remembered user event: its name and payload.
public struct SerfEvent: Hashable, Sendable, WireStruct {
  /// The event name.
  public var name: String
  /// The event payload.
  public var payload: [UInt8]

  /// Creates an event.
  public init(name: String = "", payload: [UInt8] = []) {
    self.name = name
    self.payload = payload
  }

  init() { self.init(name: "") }

  static let keys = [StructKey("Name"), StructKey("Payload")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    if index == 0 {
      name = try reader.readString()
    } else {
      payload = try reader.readByteArray()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 2)
    writer.writeKey(Self.keys[0])
    writer.writeString(name)
    writer.writeKey(Self.keys[1])
    writer.writeBytesOrNil(payload)
  }
}
