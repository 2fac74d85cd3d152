import Rumor
import Testing

@Suite("Membership events as log words")
struct MembershipEventVerbTests {
  @Test("every event has the word the agent logs, the status words of rumor members for members")
  func verbs() {
    let member = Member(
      name: "a", address: NodeAddress(ipv4: 127, 0, 0, 1, port: 7946), meta: [], incarnation: 1,
      state: .alive, versions: .rumor)
    let events: [MembershipEvent] = [
      .joined(member), .updated(member), .suspected(member), .recovered(member), .failed(member),
      .left(member), .stoodDown(member), .resumed(member), .reaped(member),
    ]
    #expect(
      events.map(\.verb) == [
        "joined", "updated", "suspect", "recovered", "failed", "left", "stood-down", "resumed",
        "reaped",
      ])
    #expect(events.allSatisfy { $0.member == member })
  }
}
