/// A service's health as its owning node reports it in a `health.<name>`
/// tag (Consul's vocabulary). No tag means passing.
public enum ServiceHealth: String, Hashable, Sendable, CaseIterable, Comparable {
  /// Checks pass.
  case passing
  /// Checks pass with a warning: used only when nothing passes.
  case warning
  /// Checks fail: never used.
  case critical

  /// Orders by preference: passing, then warning, then critical.
  public static func < (left: ServiceHealth, right: ServiceHealth) -> Bool {
    left.rank < right.rank
  }

  private var rank: Int {
    switch self {
    case .passing: 0
    case .warning: 1
    case .critical: 2
    }
  }
}
