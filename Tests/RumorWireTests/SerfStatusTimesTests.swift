import Testing

@testable import RumorWire

@Suite("Serf push-pull status times as a list")
struct SerfStatusTimesTests {
  /// A push-pull body whose status-time map lists `entries` in the order given.
  func encodedState(_ entries: [(String, UInt64)]) -> [UInt8] {
    var writer = MessagePackWriter(capacity: 64, intStyle: .legacy)
    writer.bytes.append(SerfMessageType.pushPull.rawValue)
    writer.writeMapHeader(count: 1)
    writer.writeKey(StructKey("StatusLTimes"))
    writer.writeMapHeader(count: entries.count)
    for (name, time) in entries {
      writer.writeString(name)
      writer.writeUnsigned(time)
    }
    return writer.bytes
  }

  func decoded(_ bytes: [UInt8]) throws -> SerfPushPull {
    guard case .pushPull(let state) = try SerfMessage(decoding: bytes[...]) else {
      Issue.record("not a push-pull")
      return SerfPushPull()
    }
    return state
  }

  @Test("decoding keeps the wire order; name order is the list itself when sorted")
  func wireOrder() throws {
    let state = try decoded(encodedState([("a", 1), ("b", 3), ("c", 2)]))
    #expect(state.statusTimes.map(\.name) == ["a", "b", "c"])
    #expect(state.statusTimesInNameOrder == state.statusTimes)
    #expect(state.statusLamportTimes == ["a": 1, "b": 3, "c": 2])
  }

  @Test("out of order or repeated names (as Go may send) read as Go's map: last time wins")
  func goMapSemantics() throws {
    let state = try decoded(encodedState([("c", 2), ("a", 1), ("c", 9), ("b", 3)]))
    #expect(state.statusLamportTimes == ["a": 1, "b": 3, "c": 9])
    #expect(
      state.statusTimesInNameOrder == [
        SerfStatusTime(name: "a", time: 1), SerfStatusTime(name: "b", time: 3),
        SerfStatusTime(name: "c", time: 9),
      ])
    // Equal to the same map built in name order, and encoded the same.
    let built = SerfPushPull(statusLamportTimes: ["a": 1, "b": 3, "c": 9])
    #expect(state == built)
    #expect(state.hashValue == built.hashValue)
    #expect(SerfMessage.pushPull(state).encoded() == SerfMessage.pushPull(built).encoded())
  }

  @Test("a list built in name order encodes as the dictionary did")
  func listEncodesLikeDictionary() {
    let names = (0..<500).map { "node-\($0)" }
    let times = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt64($0 * 7)) })
    let fromDictionary = SerfPushPull(lamportTime: 3, statusLamportTimes: times, leftMembers: ["x"])
    let list = times.sorted { $0.key < $1.key }.map { SerfStatusTime(name: $0.key, time: $0.value) }
    let fromList = SerfPushPull(lamportTime: 3, statusTimes: list, leftMembers: ["x"])
    #expect(
      SerfMessage.pushPull(fromList).encoded() == SerfMessage.pushPull(fromDictionary).encoded())
    // Shuffled, it still encodes in name order.
    let shuffled = SerfPushPull(lamportTime: 3, statusTimes: list.reversed(), leftMembers: ["x"])
    #expect(
      SerfMessage.pushPull(shuffled).encoded() == SerfMessage.pushPull(fromDictionary).encoded())
  }
}
