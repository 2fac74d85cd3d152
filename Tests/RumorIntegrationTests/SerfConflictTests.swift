import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite(
  "Name conflicts in a mixed cluster: _serf_conflict asked and answered both ways", .serialized,
  .enabled(if: serfExecutable != nil, "serf is not installed: apt-get install -y serf"))
struct SerfConflictTests {
  @Test("a serf agent that takes a rumor agent's name asks the cluster, rumor answers, serf quits")
  func rumorAnswersSerfsConflictQuery() async throws {
    let witness = try AgentProcess(name: "cf-witness")
    let witnessAddress = try #require(witness.address)
    let owner = try AgentProcess(
      name: "cf-dup", arguments: ["--join", witnessAddress.description])
    defer { killAll(witness, owner) }
    #expect(
      await eventually(within: 20) {
        (try? await witness.members())?.first { $0.name == "cf-dup" }?.state == .alive
      })
    let impostor = try SerfAgent(name: "cf-dup", join: [witnessAddress])
    defer { impostor.stop(signal: SIGKILL) }
    // Serf's resolveNodeConflict counts the witness's answer: it names the
    // rumor agent's address, so serf is in the minority and shuts down.
    #expect(
      await eventually(within: 30) {
        impostor.child.log.contains("minority in name conflict resolution")
      }, "\(impostor.child.log)")
    #expect(impostor.child.log.contains("[0 / 1]"), "\(impostor.child.log)")
    // The rumor agent that had the name keeps it (the witness sided with
    // it), and the witness still knows it at its own address.
    try await Task.sleep(for: .seconds(2))
    #expect(owner.child.isRunning, "\(owner.log)")
    let view = try await witness.members()
    #expect(view.first { $0.name == "cf-dup" }?.address == owner.address)
  }

  @Test("a rumor agent that takes a serf agent's name asks the cluster, serf answers, rumor stops")
  func serfAnswersRumorsConflictQuery() async throws {
    let witness = try SerfAgent(name: "cf-serf-witness")
    let owner = try SerfAgent(name: "cf-dup2", join: [witness.address])
    defer { killAll(witness, owner) }
    #expect(await eventually(within: 20) { await witness.members()["cf-dup2"]?.status == "alive" })
    let impostor = try AgentProcess(
      name: "cf-dup2", arguments: ["--join", witness.address.description])
    defer { impostor.stop(signal: SIGKILL) }
    // The serf witness answers with the serf owner's record: the rumor
    // agent is in the minority and stops with an error saying why.
    #expect(await impostor.child.exit(within: 30), "\(impostor.log)")
    #expect(impostor.child.process.terminationStatus != 0)
    #expect(
      impostor.log.contains("the cluster sided with it (0 of 1 answers"), "\(impostor.log)")
    // The witness refused the rumor agent's claim (memberlist keeps the
    // address it knew) and still has the serf owner, alive.
    #expect(witness.child.log.contains("Name conflict for 'cf-dup2'"), "\(witness.child.log)")
    try await Task.sleep(for: .seconds(1))
    #expect(await witness.members()["cf-dup2"]?.status == "alive")
  }
}
