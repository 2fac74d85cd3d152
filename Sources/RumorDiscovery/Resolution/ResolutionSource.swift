/// Which step of the resolution order answered (DESIGN.md).
public enum ResolutionSource: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
  /// `<NAME>_HOST` / `<NAME>_PORT`: the operator pinned the service.
  case environment
  /// A healthy instance in this node's gossip view.
  case gossip
  /// `services:` or `load_balancers:` in the configuration file.
  case configuration
  /// The deployment mode's host-name convention.
  case convention

  /// The word used in explanations and JSON.
  public var description: String { rawValue }
}
