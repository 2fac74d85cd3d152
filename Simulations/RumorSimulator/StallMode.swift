/// How the `stall` scenario makes a member stall.
public enum StallMode: String, Sendable, CaseIterable {
  /// The process is frozen (SIGSTOP, a long GC pause, a starved VM): no
  /// timers, no packets handled; packets to it wait in its socket buffer
  /// and are handled, late, when it wakes.
  case pause
  /// The process runs but nothing reaches it or leaves it: every packet and
  /// stream to and from it is dropped while its timers keep firing. This is
  /// the closer stand-in for Lifeguard's anomaly (protocol messages blocked
  /// at the member while its failure detector keeps running), which is what
  /// makes a slow member accuse healthy ones.
  case isolate
}
