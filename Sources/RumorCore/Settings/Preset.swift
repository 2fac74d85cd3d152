/// Which of Rumor's failure-detection policies are on: the whole set, named.
///
/// Profiles (`Profile`) set memberlist's timings; a preset sets the
/// behaviours Rumor adds on top of them (`Policies`). The two are
/// independent: `SWIMSettings(profile: .wan, preset: .rumor)`.
public enum Preset: String, Sendable, Hashable, CaseIterable {
  /// Exactly memberlist's behaviour: every policy off. For strict
  /// compatibility and for comparisons; the protocol core's default.
  case memberlist
  /// The policies that proved themselves in the simulator and against Serf
  /// (docs/simulation.md, "Presets"): fast crash detection, guarded
  /// accusations, standing down, join follow-up syncs, the early first
  /// push-pull, quiet merges and direct announcements. The flap quarantine
  /// stays off; it is there to turn on.
  case rumor

  /// The preset a Rumor node and agent use unless told otherwise
  /// (`gossip.preset`, `RUMOR_PRESET`, `--preset`). Chosen by the evidence
  /// in docs/simulation.md, "Presets".
  public static let standard: Preset = .rumor
}
