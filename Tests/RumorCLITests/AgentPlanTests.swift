import CommandLineSupport
import Foundation
import Rumor
import Testing

@testable import RumorCLI

@Suite("rumor agent's plan: flags over the configuration")
struct AgentPlanTests {
  static let options: [ArgumentList.Option] =
    [
      "config", "name", "bind", "service", "join", "suspicion-multiplier", "flap-quarantine",
      "stand-down",
    ].map {
      ArgumentList.Option(name: $0, takesValue: true)
    }
    + ["fast-crash-detection", "guarded-accusations"].map {
      ArgumentList.Option(name: $0, takesValue: false)
    }

  func plan(_ arguments: [String]) throws -> AgentPlan {
    try AgentPlan(
      ArgumentList(arguments, command: "rumor agent", options: Self.options),
      command: "rumor agent")
  }

  @Test(
    "the agent's seeds: --join replaces them all and must answer; else the file's join list must answer and the mode's convention is tried quietly"
  )
  func seeds() throws {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-plan-\(UUID().uuidString).yml").path
    try "deployment:\n  mode: local\ngossip:\n  join:\n    - 127.0.0.9:7000\n".write(
      toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let configured = try plan(["--config", file])
    #expect(configured.seeds.configured == ["127.0.0.9:7000"])
    #expect(configured.seeds.conventional == ["127.0.0.1:7946"])
    #expect(configured.seeds.mustAnswer)
    let flagged = try plan(["--config", file, "--join", "127.0.0.8:7001"])
    #expect(flagged.seeds.configured == ["127.0.0.8:7001"])
    #expect(flagged.seeds.conventional.isEmpty)
    #expect(flagged.seeds.mustAnswer)
  }

  @Test("--service replaces a configured service's URL and keeps its check")
  func serviceFlagKeepsTheConfiguredCheck() throws {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-plan-\(UUID().uuidString).yml").path
    try """
    deployment:
      mode: local
    advertise:
      backend:
        url: http://:8001/api
        check:
          path: /ready
          interval: 7s
          timeout: 2s
    """.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let plan = try plan([
      "--config", file, "--name", "a", "--bind", "127.0.0.1:0", "--join", "127.0.0.1:1",
      "--service", "backend=http://:9000/api", "--service", "redis=redis://:6379",
    ])
    let backend = try #require(plan.node.services.first { $0.name == "backend" })
    #expect(backend.url.port == 9000)
    #expect(backend.check?.interval == .seconds(7))
    #expect(backend.check?.path == "/ready")
    let redis = try #require(plan.node.services.first { $0.name == "redis" })
    #expect(redis.check?.kind == .redis)
    #expect(plan.node.services.count == 2)
  }

  @Test(
    "--fast-crash-detection and --guarded-accusations set the core's settings; both are off by default"
  )
  func detectionFlags() throws {
    let base = ["--name", "a", "--bind", "127.0.0.1:0", "--join", "127.0.0.1:1"]
    let plain = try plan(base)
    #expect(!plain.node.settings.refusedConnectionIsFailure)
    #expect(!plain.node.settings.guardedAccusations)
    let both = try plan(base + ["--fast-crash-detection", "--guarded-accusations"])
    #expect(both.node.settings.refusedConnectionIsFailure)
    #expect(both.node.settings.guardedAccusations)
    #expect(plain.node.settings.suspicionMultiplier == 4)
    let quick = try plan(base + ["--guarded-accusations", "--suspicion-multiplier", "2"])
    #expect(quick.node.settings.suspicionMultiplier == 2)
    #expect(throws: CommandError.self) { try plan(base + ["--suspicion-multiplier", "0"]) }
    #expect(plain.node.settings.flapQuarantine == .zero)
    let damped = try plan(base + ["--guarded-accusations", "--flap-quarantine", "60"])
    #expect(damped.node.settings.flapQuarantine == .seconds(60))
    #expect(throws: CommandError.self) { try plan(base + ["--flap-quarantine", "soon"]) }
    #expect(plain.node.settings.standDown == .zero)
    let modest = try plan(base + ["--stand-down", "30"])
    #expect(modest.node.settings.standDown == .seconds(30))
    #expect(throws: CommandError.self) { try plan(base + ["--stand-down", "0"]) }
    #expect(throws: CommandError.self) { try plan(base + ["--stand-down", "never"]) }
  }
}
