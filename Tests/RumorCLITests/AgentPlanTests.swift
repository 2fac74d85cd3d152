import CommandLineSupport
import Foundation
import Rumor
import Testing

@testable import RumorCLI

@Suite("rumor agent's plan: flags over the configuration")
struct AgentPlanTests {
  static let options: [ArgumentList.Option] =
    ["config", "name", "bind", "service", "join", "suspicion-multiplier"].map {
      ArgumentList.Option(name: $0, takesValue: true)
    } + NodeOptions.policyOptions

  /// A configuration file holding `text`, in the temporary folder; the
  /// caller removes it.
  func configurationFile(_ text: String) throws -> String {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-plan-\(UUID().uuidString).yml").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    return file
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
    let file = try configurationFile(
      "deployment:\n  mode: local\ngossip:\n  join:\n    - 127.0.0.9:7000\n")
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
    let file = try configurationFile(
      """
      deployment:
        mode: local
      advertise:
        backend:
          url: http://:8001/api
          check:
            path: /ready
            interval: 7s
            timeout: 2s
      """)
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
    "the standard preset by default; --preset and each policy's option set the core's policies"
  )
  func detectionFlags() throws {
    let base = ["--name", "a", "--bind", "127.0.0.1:0", "--join", "127.0.0.1:1"]
    let standard = try plan(base)
    #expect(standard.node.settings.policies == Policies(preset: .standard))
    let plain = try plan(base + ["--preset", "memberlist"])
    #expect(plain.node.settings.policies == Policies(preset: .memberlist))
    let both = try plan(
      base + ["--preset", "memberlist", "--fast-crash-detection", "--guarded-accusations=on"])
    #expect(both.node.settings.policies.fastCrashDetection)
    #expect(both.node.settings.policies.guardedAccusations)
    let without = try plan(base + ["--preset", "rumor", "--fast-crash-detection=false"])
    #expect(!without.node.settings.policies.fastCrashDetection)
    #expect(without.node.settings.policies.guardedAccusations)
    #expect(throws: CommandError.self) { try plan(base + ["--guarded-accusations=maybe"]) }
    // A switch like the others: bare on, `=false` off, over either preset.
    let early = try plan(base + ["--preset", "memberlist", "--early-first-push-pull"])
    #expect(early.node.settings.policies.earlyFirstPushPull)
    let late = try plan(base + ["--early-first-push-pull=false"])
    #expect(!late.node.settings.policies.earlyFirstPushPull)
    #expect(late.node.settings.policies.guardedAccusations)
    #expect(throws: CommandError.self) { try plan(base + ["--preset", "serf"]) }
    #expect(plain.node.settings.suspicionMultiplier == 4)
    let quick = try plan(base + ["--guarded-accusations", "--suspicion-multiplier", "2"])
    #expect(quick.node.settings.suspicionMultiplier == 2)
    #expect(throws: CommandError.self) { try plan(base + ["--suspicion-multiplier", "0"]) }
    let damped = try plan(base + ["--flap-quarantine", "90s"])
    #expect(damped.node.settings.policies.flapQuarantine == .seconds(90))
    let undamped = try plan(base + ["--flap-quarantine", "off"])
    #expect(undamped.node.settings.policies.flapQuarantine == .zero)
    #expect(throws: CommandError.self) { try plan(base + ["--flap-quarantine", "soon"]) }
    let modest = try plan(base + ["--preset", "memberlist", "--stand-down", "30"])
    #expect(modest.node.settings.policies.standDown == .seconds(30))
    #expect(try plan(base + ["--stand-down", "0"]).node.settings.policies.standDown == .zero)
    #expect(throws: CommandError.self) { try plan(base + ["--stand-down", "never"]) }
    #expect(
      try plan(base + ["--join-follow-up-syncs", "0"]).node.settings.policies.joinFollowUpSyncs == 0
    )
    #expect(throws: CommandError.self) { try plan(base + ["--join-follow-up-syncs", "17"]) }
  }

  @Test("the preset and the policies come from the configuration file, flags over it")
  func policiesFromConfiguration() throws {
    let file = try configurationFile(
      """
      deployment:
        mode: local
      gossip:
        preset: memberlist
        flap_quarantine: 45s
        guarded_accusations: true
      """)
    defer { try? FileManager.default.removeItem(atPath: file) }
    let base = ["--config", file, "--name", "a", "--bind", "127.0.0.1:0", "--join", "127.0.0.1:1"]
    let configured = try plan(base)
    #expect(!configured.node.settings.policies.fastCrashDetection)
    #expect(configured.node.settings.policies.guardedAccusations)
    #expect(configured.node.settings.policies.flapQuarantine == .seconds(45))
    #expect(configured.node.settings.policies.joinFollowUpSyncs == 0)
    let flagged = try plan(base + ["--guarded-accusations=false"])
    #expect(!flagged.node.settings.policies.guardedAccusations)
    #expect(flagged.node.settings.policies.flapQuarantine == .seconds(45))
  }
}
