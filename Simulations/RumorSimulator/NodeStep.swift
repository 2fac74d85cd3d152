import RumorCore

/// What one node's input did, computed touching only that node, and
/// applied to what the nodes share (the network, the agenda, the
/// counters, the observer) afterwards by `Simulation.apply`. Splitting an
/// input in two is what lets inputs at different nodes run side by side
/// while their effects are still applied in one order.
enum NodeStep {
  /// The input was for nobody (a stopped node, a stale wake-up, a stream
  /// already over).
  case nothing
  /// The node handled the input.
  case performed(NodeOutput)
  /// The node is paused: its socket keeps the packet, if there is room.
  case bufferPacket(from: Int, bytes: [UInt8])
  /// The node is paused: the stream waits for it.
  case bufferStream(from: Int, generation: Int, id: UInt64, request: [UInt8])
  /// The node is gone: the opener's connection is refused.
  case refuseStream(from: Int, generation: Int, id: UInt64)
  /// The node answered a stream (`reply` nil: it closed it without one).
  case answered(NodeOutput, reply: [UInt8]?, from: Int, generation: Int, id: UInt64)

  /// The shortest timeout (nanoseconds) of the streams the input opens:
  /// applying it schedules each stream's failure for this node no later
  /// than that (nil: it opens none).
  func earliestStreamTimeout() -> Int64? {
    switch self {
    case .performed(let output), .answered(let output, _, _, _, _):
      return output.earliestStreamTimeout()
    case .nothing, .bufferPacket, .bufferStream, .refuseStream:
      return nil
    }
  }

  /// Every wake-up the input scheduled, in the order applying it
  /// schedules them (an answer's before the input's own).
  func forEachWake(_ body: (Int64) -> Void) {
    switch self {
    case .performed(let output), .answered(let output, _, _, _, _):
      output.forEachWake(body)
    case .nothing, .bufferPacket, .bufferStream, .refuseStream:
      break
    }
  }
}

/// What a scenario reads of a node between runs: its views and counters
/// as of its last input applied (`Simulation.figures(of:)`).
public struct NodeFigures: Sendable {
  /// How many members it sees alive, itself included.
  public var aliveView: Int
  /// How many members it sees alive or suspect, itself included.
  public var activeView: Int
  /// Its SWIM counters.
  public var counters: NodeCounters
  /// Its Serf layer's counters (nil for a plain memberlist node).
  public var serfCounters: SerfCounters?
}

/// A node's effects and what handling them did at the node.
struct NodeOutput {
  /// The effects, in order.
  var effects: [Effect]
  /// The node's answer to each query handed to it, in the order of the
  /// `.query` effects (nil where it gave none); empty without queries, so
  /// that an input costs no array of its own for it.
  var answers: [NodeOutput?] = []
  /// Invariant violations found after the input (when checked).
  var problems: [String] = []
  /// The node's figures afterwards (nil: the node is not running).
  var figures: NodeFigures?
  /// The wake-up to schedule for the node's next deadline, if one is due
  /// earlier than any scheduled already.
  var wake: Int64?

  /// The shortest timeout of the streams these effects open, the
  /// answers' included (see `NodeStep.earliestStreamTimeout`).
  func earliestStreamTimeout() -> Int64? {
    var earliest: Int64?
    for effect in effects {
      if case .openStream(_, _, _, let timeout, let connectTimeout) = effect {
        let shortest = min(timeout, connectTimeout ?? timeout).nanosecondsClamped
        earliest = min(earliest ?? shortest, shortest)
      }
    }
    for answer in answers {
      if let inner = answer?.earliestStreamTimeout() { earliest = min(earliest ?? inner, inner) }
    }
    return earliest
  }

  /// The wake-ups in the order applying this output schedules them.
  func forEachWake(_ body: (Int64) -> Void) {
    for answer in answers { answer?.forEachWake(body) }
    if let wake { body(wake) }
  }
}
