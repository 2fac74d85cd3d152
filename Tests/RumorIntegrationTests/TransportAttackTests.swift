import Testing

/// The attacks on the transport (resets during replies, trickled streams,
/// slow-loris), one at a time: each floods loopback and the CPUs, and the
/// others' timings would suffer from running beside it.
@Suite("Transport attacks on loopback", .serialized)
enum TransportAttackTests {
  /// The attacked process must answer `rumor members --timeout 2`; the
  /// whole command, the start of a debug executable on a busy machine
  /// included, may take this long.
  static let commandLimit = 4.0
}
