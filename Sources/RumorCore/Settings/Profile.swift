/// memberlist's three presets, the starting point for every setting.
public enum Profile: String, Sendable, Hashable, CaseIterable {
  /// A local network: memberlist's `DefaultLANConfig` (the default).
  case lan
  /// Across data centres: `DefaultWANConfig`, slower and more tolerant.
  case wan
  /// One machine or a fast, reliable network: `DefaultLocalConfig`.
  case local
}
