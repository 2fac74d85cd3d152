import RumorCore
import Testing

@Suite struct InvariantTests {
  @Test func aSoundNodeHasNoViolationsAndABackwardIncarnationIsOne() throws {
    let node = try makeNode(knowing: 3)
    #expect(node.invariantViolations().isEmpty)
    var previous = node.incarnations
    #expect(previous.count == 4)
    #expect(node.invariantViolations(previous: previous).isEmpty)
    // As if n0 had been at a higher incarnation at an earlier check.
    previous["n0"] = (previous["n0"] ?? 0) + 5
    let problems = node.invariantViolations(previous: previous)
    #expect(problems.count == 1)
    #expect(problems.first?.contains("n0's incarnation went back") == true, "\(problems)")
  }
}
