import RumorCore

/// One of Rumor's failure-detection policies (`Policies`) as a setting,
/// with its one name everywhere: `gossip.<key>` in the configuration file,
/// `RUMOR_<KEY>` in the environment and `--<key-with-dashes>` on the
/// command line (`gossip.fast_crash_detection`,
/// `RUMOR_FAST_CRASH_DETECTION`, `--fast-crash-detection`). Each is
/// applied over the preset's value.
public enum PolicySetting: String, CaseIterable, Sendable, Hashable {
  /// `Policies.fastCrashDetection`: true or false.
  case fastCrashDetection = "fast_crash_detection"
  /// `Policies.guardedAccusations`: true or false.
  case guardedAccusations = "guarded_accusations"
  /// `Policies.flapQuarantine`: a duration, 0 or off for none.
  case flapQuarantine = "flap_quarantine"
  /// `Policies.standDown`: a duration, 0 or off for never.
  case standDown = "stand_down"
  /// `Policies.joinFollowUpSyncs`: 0 to 16.
  case joinFollowUpSyncs = "join_follow_up_syncs"
  /// `Policies.earlyFirstPushPull`: true or false.
  case earlyFirstPushPull = "early_first_push_pull"
  /// `Policies.quietMerges`: true or false.
  case quietMerges = "quiet_merges"
  /// `Policies.directAnnouncements`: true or false.
  case directAnnouncements = "direct_announcements"
  /// `Policies.lateNacks`: true or false.
  case lateNacks = "late_nacks"

  /// The key under `gossip:` in the configuration file.
  public var key: String { rawValue }
  /// The environment variable.
  public var variable: String { "RUMOR_" + rawValue.uppercased() }
  /// The command-line option, without its dashes.
  public var option: String { String(rawValue.map { $0 == "_" ? "-" : $0 }) }
  /// Whether the setting is on or off (a switch on the command line).
  public var isBoolean: Bool {
    // Every case named, so that a new policy has to say which kind it is.
    switch self {
    case .fastCrashDetection, .guardedAccusations, .earlyFirstPushPull, .quietMerges,
      .directAnnouncements, .lateNacks:
      true
    case .flapQuarantine, .standDown, .joinFollowUpSyncs: false
    }
  }

  /// Parses the setting's value from text (a file, a variable or a flag).
  public func parse(_ text: String) throws(InvalidValue) -> PolicyValue {
    switch self {
    case .fastCrashDetection, .guardedAccusations, .earlyFirstPushPull, .quietMerges,
      .directAnnouncements, .lateNacks:
      switch text.lowercased() {
      case "true", "on", "yes", "1": return .enabled(true)
      case "false", "off", "no", "0": return .enabled(false)
      default: throw InvalidValue("'\(text)' is not true or false")
      }
    case .flapQuarantine, .standDown:
      if text == "0" || text.lowercased() == "off" { return .duration(.zero) }
      do {
        return .duration(try DurationText.parse(text, maximum: .seconds(86_400)))
      } catch {
        // The duration's own advice leaves out the word that turns it off.
        let notDuration = error.reason.hasPrefix("'\(text)' is not a duration")
        throw notDuration ? InvalidValue(error.reason + ", or off") : error
      }
    case .joinFollowUpSyncs:
      guard let count = Int(text), (0...16).contains(count) else {
        throw InvalidValue("'\(text)' is not a whole number from 0 to 16")
      }
      return .count(count)
    }
  }

  /// The setting's value in `policies`.
  public func value(in policies: Policies) -> PolicyValue {
    switch self {
    case .fastCrashDetection: .enabled(policies.fastCrashDetection)
    case .guardedAccusations: .enabled(policies.guardedAccusations)
    case .flapQuarantine: .duration(policies.flapQuarantine)
    case .standDown: .duration(policies.standDown)
    case .joinFollowUpSyncs: .count(policies.joinFollowUpSyncs)
    case .earlyFirstPushPull: .enabled(policies.earlyFirstPushPull)
    case .quietMerges: .enabled(policies.quietMerges)
    case .directAnnouncements: .enabled(policies.directAnnouncements)
    case .lateNacks: .enabled(policies.lateNacks)
    }
  }

  /// Sets the setting in `policies` to `value` (a value of another kind
  /// changes nothing: `parse` never makes one).
  public func apply(_ value: PolicyValue, to policies: inout Policies) {
    switch (self, value) {
    case (.fastCrashDetection, .enabled(let on)): policies.fastCrashDetection = on
    case (.guardedAccusations, .enabled(let on)): policies.guardedAccusations = on
    case (.flapQuarantine, .duration(let time)): policies.flapQuarantine = time
    case (.standDown, .duration(let time)): policies.standDown = time
    case (.joinFollowUpSyncs, .count(let count)): policies.joinFollowUpSyncs = count
    case (.earlyFirstPushPull, .enabled(let on)): policies.earlyFirstPushPull = on
    case (.quietMerges, .enabled(let on)): policies.quietMerges = on
    case (.directAnnouncements, .enabled(let on)): policies.directAnnouncements = on
    case (.lateNacks, .enabled(let on)): policies.lateNacks = on
    default: break
    }
  }
}

/// The value of a `PolicySetting`.
public enum PolicyValue: Hashable, Sendable, CustomStringConvertible {
  /// A policy on or off.
  case enabled(Bool)
  /// A policy's time; zero is off.
  case duration(Duration)
  /// A count.
  case count(Int)

  /// As the configuration file writes it: `true`, `30s`, `off`, `3`.
  public var description: String {
    switch self {
    case .enabled(let on): on ? "true" : "false"
    case .duration(let time): time == .zero ? "off" : DurationText.format(time)
    case .count(let count): String(count)
    }
  }
}
