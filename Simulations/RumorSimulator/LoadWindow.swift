/// Traffic counted from one moment of a run to its end. Whole-run averages
/// mix the join storm into the steady state; SWIM's flat-load claim (and
/// Rapid's bandwidth table) is about the steady state, so the figures the
/// papers compare against come from a window that starts after it.
public struct LoadWindow: Sendable {
  /// When the window began (nanoseconds of virtual time).
  public let start: Int64
  private let packetsSent: [Int?]
  private let bytesSent: [Int?]
  private let bytesReceived: [Int?]
  private let streamsOpened: Int

  /// Remembers what every running node has sent and received so far.
  init(_ simulation: Simulation, at time: Int64) {
    start = time
    let indices = 0..<simulation.configuration.nodes
    packetsSent = indices.map { simulation.figures(of: $0)?.counters.packetsSent }
    bytesSent = indices.map { simulation.figures(of: $0)?.counters.bytesSent }
    bytesReceived = indices.map { simulation.figures(of: $0)?.counters.bytesReceived }
    streamsOpened = simulation.streamsOpened
  }

  /// The traffic of the window, per node and second.
  public struct Figures: Sendable {
    /// Seconds the window lasted.
    public var seconds: Double
    /// Nodes that ran all through it (the averages are over these).
    public var nodes: Int
    /// Mean datagrams sent per node per second.
    public var packetsPerNodePerSecond: Double
    /// Mean bytes sent per node per second.
    public var bytesPerNodePerSecond: Double
    /// The 99th percentile over nodes of bytes sent per second.
    public var bytesPerSecondP99: Double
    /// The most bytes per second any node sent.
    public var bytesPerSecondMaximum: Double
    /// Mean bytes received per node per second.
    public var receivedBytesPerNodePerSecond: Double
    /// TCP streams opened per node per second (push-pull, fallback pings).
    public var streamsPerNodePerSecond: Double
  }

  /// The figures from the start of the window to `simulation.now`; nil if
  /// the window is empty or no node ran all through it.
  func figures(_ simulation: Simulation) -> Figures? {
    let seconds = Double(simulation.now - start) / 1e9
    guard seconds > 0 else { return nil }
    var sent: [Double] = []
    var packets = 0
    var received = 0
    for index in packetsSent.indices {
      // A node restarted inside the window (churn) has fresh counters;
      // it did not run all through, so it is left out like a killed one.
      guard let counters = simulation.figures(of: index)?.counters,
        let packetsBefore = packetsSent[index],
        let bytesBefore = bytesSent[index], let receivedBefore = bytesReceived[index],
        counters.packetsSent >= packetsBefore, counters.bytesSent >= bytesBefore
      else { continue }
      packets += counters.packetsSent - packetsBefore
      sent.append(Double(counters.bytesSent - bytesBefore) / seconds)
      received += max(0, counters.bytesReceived - receivedBefore)
    }
    guard !sent.isEmpty else { return nil }
    sent.sort()
    let count = Double(sent.count)
    let p99 = sent[min(sent.count - 1, Int((count * 0.99).rounded(.up)) - 1)]
    return Figures(
      seconds: seconds, nodes: sent.count,
      packetsPerNodePerSecond: Double(packets) / count / seconds,
      bytesPerNodePerSecond: sent.reduce(0, +) / count,
      bytesPerSecondP99: p99, bytesPerSecondMaximum: sent.last ?? 0,
      receivedBytesPerNodePerSecond: Double(received) / count / seconds,
      streamsPerNodePerSecond: Double(simulation.streamsOpened - streamsOpened) / count / seconds)
  }
}
