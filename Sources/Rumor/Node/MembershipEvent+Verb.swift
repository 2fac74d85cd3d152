import RumorCore

extension MembershipEvent {
  /// The event as one log word: `joined`, `updated`, `suspect`,
  /// `recovered`, `failed` or `left` (the status words `rumor members`
  /// prints, so that logs and tables read alike), `reaped` when a failed or
  /// left member is forgotten, or, about this node itself, `stood-down` or
  /// `resumed`.
  public var verb: String {
    switch self {
    case .joined: "joined"
    case .updated: "updated"
    case .suspected: "suspect"
    case .recovered: "recovered"
    case .failed: "failed"
    case .left: "left"
    case .stoodDown: "stood-down"
    case .resumed: "resumed"
    case .reaped: "reaped"
    }
  }
}
