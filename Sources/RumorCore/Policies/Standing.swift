/// What standing down (`Policies.standDown`) keeps between inputs.
struct Standing {
  /// How long the health score must stay at its ceiling before this node
  /// stands down, in nanoseconds; 0 when the policy is off.
  let threshold: Int64
  /// Whether this node has judged itself the failing part and neither
  /// accuses others nor refutes accusations.
  var isStandingDown = false
  /// The highest incarnation this node was accused at while standing down,
  /// refuted when it stops.
  var withheldAccusation: UInt32?
}
