/// Serf's key-management queries, which rotate the gossip key across a
/// cluster (`serf keys`, `ClusterNode.sendKeyQuery`).
public enum KeyQuery: String, Hashable, Sendable, CaseIterable {
  /// Add a key to every keyring (`serf keys -install`).
  case install = "_serf_install-key"
  /// Encrypt with this key from now on (`serf keys -use`).
  case use = "_serf_use-key"
  /// Drop a key that is no longer the primary (`serf keys -remove`).
  case remove = "_serf_remove-key"
  /// Report every member's keys (`serf keys -list`).
  case list = "_serf_list-keys"
}
