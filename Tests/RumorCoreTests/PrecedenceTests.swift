import Testing

@testable import RumorCore

@Suite("Which news about a member wins")
struct PrecedenceTests {
  @Test("alive wins only with a higher incarnation, whatever the state")
  func alive() {
    for state in MemberState.allCases {
      #expect(Precedence.supersedes(.alive(6), state: state, incarnation: 5))
      #expect(!Precedence.supersedes(.alive(5), state: state, incarnation: 5))
      #expect(!Precedence.supersedes(.alive(4), state: state, incarnation: 5))
    }
  }

  @Test("suspect wins over alive at an equal or higher incarnation, and over nothing else")
  func suspect() {
    #expect(Precedence.supersedes(.suspect(5), state: .alive, incarnation: 5))
    #expect(Precedence.supersedes(.suspect(6), state: .alive, incarnation: 5))
    #expect(!Precedence.supersedes(.suspect(4), state: .alive, incarnation: 5))
    for state in [MemberState.suspect, .dead, .left] {
      #expect(!Precedence.supersedes(.suspect(9), state: state, incarnation: 5))
    }
  }

  @Test("dead and left win over alive and suspect at an equal or higher incarnation")
  func dead() {
    for left in [false, true] {
      #expect(Precedence.supersedes(.dead(5, left: left), state: .alive, incarnation: 5))
      #expect(Precedence.supersedes(.dead(5, left: left), state: .suspect, incarnation: 5))
      #expect(!Precedence.supersedes(.dead(4, left: left), state: .suspect, incarnation: 5))
      #expect(!Precedence.supersedes(.dead(9, left: left), state: .dead, incarnation: 5))
      #expect(!Precedence.supersedes(.dead(9, left: left), state: .left, incarnation: 5))
    }
  }

  @Test("the order is alive(n) < suspect(n) < dead(n) < alive(n+1)")
  func chain() {
    #expect(Precedence.supersedes(.suspect(3), state: .alive, incarnation: 3))
    #expect(Precedence.supersedes(.dead(3, left: false), state: .suspect, incarnation: 3))
    #expect(Precedence.supersedes(.alive(4), state: .dead, incarnation: 3))
  }
}
