import Testing

/// The attacks on real processes (datagram floods, resets during replies,
/// trickled streams, slow-loris) and the namespace lab's faults, one suite
/// at a time: each floods loopback and the CPUs, and the others' timings
/// would suffer from running beside it.
@Suite("Attacks and faults on real processes, one at a time", .serialized)
enum TransportAttackTests {
  /// The attacked process must answer `rumor members --timeout 2`; the
  /// whole command, the start of a debug executable on a busy machine
  /// included, may take this long.
  static let commandLimit = 4.0
}
