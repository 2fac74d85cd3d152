import RumorCore
import Testing

@Suite("Presets and policies")
struct PresetTests {
  @Test("the memberlist preset turns every policy off, in every profile")
  func memberlistIsPlain() {
    for profile in Profile.allCases {
      let policies = SWIMSettings(profile: profile, preset: .memberlist).policies
      #expect(!policies.fastCrashDetection)
      #expect(!policies.guardedAccusations)
      #expect(policies.flapQuarantine == .zero)
      #expect(policies.standDown == .zero)
      #expect(policies.joinFollowUpSyncs == 0)
    }
    #expect(SWIMSettings().policies == Policies(preset: .memberlist))
  }

  @Test("the rumor preset turns the proven policies on and keeps the profile's timings")
  func rumorPreset() throws {
    let settings = SWIMSettings(profile: .wan, preset: .rumor)
    #expect(settings.policies.fastCrashDetection)
    #expect(settings.policies.guardedAccusations)
    #expect(settings.policies.flapQuarantine == .zero)
    #expect(settings.policies.standDown == .seconds(30))
    #expect(settings.policies.joinFollowUpSyncs == 3)
    #expect(settings.policies.lateNacks)
    #expect(settings.probeInterval == SWIMSettings(profile: .wan).probeInterval)
    try settings.validate()
  }

  @Test("validate() names a policy that needs Lifeguard when Lifeguard is off")
  func dependencies() throws {
    var settings = SWIMSettings(preset: .rumor)
    settings.lifeguard = false
    let error = #expect(throws: SettingsError.self) { try settings.validate() }
    let problems = error?.problems.joined(separator: " ") ?? ""
    #expect(problems.contains("guarded accusations need Lifeguard"))
    #expect(problems.contains("standing down needs Lifeguard"))
    #expect(problems.contains("late nacks need Lifeguard"))
    settings.policies.guardedAccusations = false
    settings.policies.standDown = .zero
    settings.policies.lateNacks = false
    try settings.validate()
    settings.policies.joinFollowUpSyncs = 17
    #expect(throws: SettingsError.self) { try settings.validate() }
  }

  @Test("a probe answered by port unreachable is a death at once with fast crash detection")
  func provenDeathIsImmediate() throws {
    var settings = SWIMSettings(preset: .memberlist)
    settings.policies.fastCrashDetection = true
    var node = try makeNode(knowing: 4, settings: settings)
    let first = try #require(firstProbe(&node))
    let target = try #require(node.member(named: first.ping.node)).address
    var effects = node.portUnreachable(target, now: at(first.time + 0.001))
    effects += node.tick(now: at(first.time + 0.001))
    // Dead at the moment of the proof, not one probe interval later.
    #expect(node.member(named: first.ping.node)?.state == .dead)
    #expect(
      events(effects).contains {
        if case .failed(let m) = $0 { m.name == first.ping.node } else { false }
      })
  }
}
