import Testing

@testable import Rumor

@Suite("InboundLimits: slots per node and per address, the buffer budget, the stream limit")
struct InboundLimitsTests {
  @Test(
    "one address gets maximumPerSource slots, the node maximumStreams, and released slots come back"
  )
  func slots() {
    var limits = InboundLimits()
    let first = NodeAddress(ipv4: 127, 0, 0, 2, port: 1_000)
    for port in 0..<InboundLimits.maximumPerSource {
      // Another port of the same address counts against the same share.
      let refusal = limits.admit(NodeAddress(ipv4: 127, 0, 0, 2, port: UInt16(port)))
      #expect(refusal == nil)
    }
    let over = limits.admit(first)
    #expect(over == .perSource)
    limits.release(first, charged: 0)
    let again = limits.admit(first)
    #expect(again == nil)
    var source: UInt8 = 3
    while limits.open < InboundLimits.maximumStreams {
      for _ in 0..<InboundLimits.maximumPerSource where limits.open < InboundLimits.maximumStreams {
        let refusal = limits.admit(NodeAddress(ipv4: 127, 0, 0, source, port: 9))
        #expect(refusal == nil)
      }
      source += 1
    }
    let busy = limits.admit(NodeAddress(ipv4: 127, 0, 0, 200, port: 9))
    #expect(busy == .busy)
  }

  @Test("the budget is shared by every stream and given back when they end")
  func budget() {
    var limits = InboundLimits()
    let peer = NodeAddress(ipv4: 127, 0, 0, 2, port: 9)
    let admitted = limits.admit(peer)
    #expect(admitted == nil)
    let most = limits.charge(InboundLimits.budget - 10)
    let over = limits.charge(11)
    let rest = limits.charge(10)
    #expect(most && !over && rest)
    limits.refund(100)
    #expect(limits.buffered == InboundLimits.budget - 100)
    limits.release(peer, charged: InboundLimits.budget)
    #expect(limits.buffered == 0 && limits.open == 0)
  }

  @Test("the stream limit grows with the cluster between its floor and memberlist's ceiling")
  func streamLimit() {
    #expect(InboundLimits.streamLimit(members: 1) == InboundLimits.minimumStreamLimit)
    #expect(InboundLimits.streamLimit(members: 5_000) == 5_000 * InboundLimits.bytesPerMember)
    #expect(InboundLimits.streamLimit(members: Int.max) == Connection.maximumIncoming)
  }
}
