import Dispatch
import Synchronization

/// The inputs of one window: events at nodes that all come before any
/// of them could reach another node (the network's smallest latency
/// after the first), so each node's inputs depend only on that node.
/// Every node's inputs are handled first, side by side, and what they did
/// is then applied one input at a time, in the agenda's order, exactly as
/// one thread would have: the same packets, random draws and agenda.
struct InputWindow {
  /// One event taken from the agenda.
  struct Entry {
    var time: Int64
    /// Its place in the agenda's order of scheduling (ties at one time).
    var order: UInt64
    var event: Simulation.Event
  }

  /// The events taken from the agenda, in its order.
  var entries: [Entry]
  /// The next entry to apply.
  var next = 0
  /// Nothing at or after this time and order belongs to the window: the
  /// first event that does not (a scenario's action) or the end.
  var limit: (time: Int64, order: UInt64)
  /// The window's nodes; a node's place in it is `Simulation.windowPlaces`.
  var nodes: [Int]
  /// Each place's inputs, handled, with their times, in the order they
  /// are to be applied.
  var steps: [[(time: Int64, step: NodeStep)]]
  /// How many of each place's steps are applied.
  var applied: [Int]
}

extension Simulation {
  /// How many inputs a window needs for its nodes to be handled on more
  /// than one thread; below it, handing them out costs more than it saves.
  static let smallestParallelWindow = 4

  /// `run(until:stop:)` with more than one thread: window after window,
  /// a scenario's action on its own between them.
  func runWindows(until end: Int64, stop: () -> Bool) -> Bool {
    while true {
      if pendingWindow != nil {
        switch applyWindow(until: end, stop: stop) {
        case .stopped: return true
        case .reachedEnd:
          now = max(now, end)
          return false
        case .finished: break
        }
      }
      guard let time = queue.nextTime, time <= end else { break }
      if !openWindow(until: end) {
        // The next event is a scenario's action (or packets may arrive at
        // once): it runs alone.
        handleNext()
        if stop() { return true }
      }
    }
    now = max(now, end)
    return false
  }

  /// Takes the next window's events from the agenda and handles each
  /// node's inputs; false if the next event is not a node's input.
  private func openWindow(until end: Int64) -> Bool {
    let floor = network.latencyFloor
    guard floor > 0, let first = queue.nextEntry else { return false }
    let (reach, overflow) = first.time.addingReportingOverflow(floor)
    var limit = (time: overflow ? Int64.max : reach, order: UInt64(0))
    if end < Int64.max { limit.time = min(limit.time, end + 1) }
    var entries: [InputWindow.Entry] = []
    while let next = queue.nextEntry, next.time < limit.time,
      let (time, order, event) = queue.popEntry()
    {
      if case .action = event {
        queue.restore(event, at: time, order: order)
        limit = (time, order)
        break
      }
      entries.append(InputWindow.Entry(time: time, order: order, event: event))
    }
    guard !entries.isEmpty else { return false }
    var nodes: [Int] = []
    var inputs: [[InputWindow.Entry]] = []
    for entry in entries {
      guard let node = entry.event.node else { continue }
      if windowPlaces[node] < 0 {
        windowPlaces[node] = Int32(nodes.count)
        nodes.append(node)
        inputs.append([])
      }
      inputs[Int(windowPlaces[node])].append(entry)
    }
    var steps = [[(time: Int64, step: NodeStep)]](repeating: [], count: nodes.count)
    if configuration.threads > 1, nodes.count > 1, entries.count >= Self.smallestParallelWindow {
      steps.withUnsafeMutableBufferPointer { results in
        let work = WindowWork(
          simulation: self, inputs: inputs, nodes: nodes, limit: limit.time, results: results)
        DispatchQueue.concurrentPerform(iterations: min(configuration.threads, nodes.count)) { _ in
          work.run()
        }
      }
    } else {
      for place in nodes.indices {
        steps[place] = handleInputs(inputs[place], of: nodes[place], before: limit.time)
      }
    }
    pendingWindow = InputWindow(
      entries: entries, limit: limit, nodes: nodes, steps: steps,
      applied: Array(repeating: 0, count: nodes.count))
    return true
  }

  /// Handles node `node`'s inputs of a window in order, with the
  /// wake-ups they schedule before `limit` (each after every input
  /// already due by its time: it was scheduled after all of them).
  ///
  /// An input that opens a stream whose timeout may fall before `limit`
  /// ends it: applying that input schedules the stream's failure for
  /// this node at a time that depends on the network's random draws, so
  /// the node's later inputs of the window are left to be handled in
  /// their turn as the window is applied (`applyWindow`).
  fileprivate func handleInputs(_ entries: [InputWindow.Entry], of node: Int, before limit: Int64)
    -> [(time: Int64, step: NodeStep)]
  {
    var pending = entries
    var steps: [(time: Int64, step: NodeStep)] = []
    steps.reserveCapacity(pending.count)
    var index = 0
    while index < pending.count {
      let entry = pending[index]
      let step = step(entry.event, at: entry.time)
      steps.append((entry.time, step))
      if let timeout = step.earliestStreamTimeout() {
        let (due, overflow) = entry.time.addingReportingOverflow(timeout)
        if !overflow && due < limit { break }
      }
      step.forEachWake { wake in
        guard wake < limit else { return }
        var place = index + 1
        while place < pending.count, pending[place].time <= wake { place += 1 }
        pending.insert(
          InputWindow.Entry(
            time: wake, order: .max, event: .wake(node, generation: generations[node])),
          at: place)
      }
      index += 1
    }
    return steps
  }

  /// How applying a window ended.
  private enum WindowEnd {
    /// Every input is applied.
    case finished
    /// `stop` asked to stop; the rest waits for the next run.
    case stopped
    /// The next input comes after the run's end.
    case reachedEnd
  }

  /// Applies the pending window's inputs in the agenda's order: its own
  /// entries and the wake-ups they scheduled inside it.
  private func applyWindow(until end: Int64, stop: () -> Bool) -> WindowEnd {
    guard var window = pendingWindow.take() else { return .finished }
    while true {
      var candidate: (time: Int64, order: UInt64)?
      if window.next < window.entries.count {
        let entry = window.entries[window.next]
        candidate = (entry.time, entry.order)
      }
      var fromAgenda = false
      if let head = queue.nextEntry, head < window.limit, candidate.map({ head < $0 }) ?? true {
        candidate = head
        fromAgenda = true
      }
      guard let (time, _) = candidate else { break }
      if time > end {
        pendingWindow = window
        return .reachedEnd
      }
      let event: Event
      if fromAgenda {
        guard let taken = queue.popEntry() else { break }
        event = taken.event
      } else {
        event = window.entries[window.next].event
        window.next += 1
      }
      guard let node = event.node, windowPlaces[node] >= 0 else {
        preconditionFailure(
          "an event at \(time) ns came inside a window of inputs handled ahead, for no node "
            + "of it (an action scheduled inside the window a stopped run left); run with one "
            + "thread, or schedule it later")
      }
      let place = Int(windowPlaces[node])
      let applied = window.applied[place]
      now = time
      if applied < window.steps[place].count {
        // Handled ahead: the node's next input, and from the agenda only
        // a wake-up it scheduled inside the window.
        let handled = window.steps[place][applied]
        guard handled.time == time, !fromAgenda || event.isWake else {
          preconditionFailure("node \(node)'s input at \(time) ns was not the one handled ahead")
        }
        window.applied[place] = applied + 1
        apply(handled.step, of: node)
      } else {
        // The node's inputs after one that opened a stream timing out
        // inside the window: handled now, in their turn.
        handle(event)
      }
      if stop() {
        pendingWindow = window
        return .stopped
      }
    }
    for node in window.nodes { windowPlaces[node] = -1 }
    return .finished
  }
}

/// One window's nodes, handed out to the threads that handle their
/// inputs: each thread takes the next place until none is left.
///
/// `@unchecked Sendable` because it carries the simulation and a buffer
/// the threads write into. Safe: the counter hands each place out exactly
/// once, so each element of `results` is written by one thread, and a
/// place's inputs touch only its node's slot (no two places share a
/// node); everything else they read (the node list, generations, paused
/// flags, the network, the configuration) is changed only by scenario
/// actions, which never run during a window. `concurrentPerform` returns
/// only when every thread is done, so the caller then sees every write.
private final class WindowWork: @unchecked Sendable {
  let simulation: Simulation
  let inputs: [[InputWindow.Entry]]
  let nodes: [Int]
  let limit: Int64
  let results: UnsafeMutableBufferPointer<[(time: Int64, step: NodeStep)]>
  let taken = Atomic<Int>(0)

  init(
    simulation: Simulation, inputs: [[InputWindow.Entry]], nodes: [Int], limit: Int64,
    results: UnsafeMutableBufferPointer<[(time: Int64, step: NodeStep)]>
  ) {
    self.simulation = simulation
    self.inputs = inputs
    self.nodes = nodes
    self.limit = limit
    self.results = results
  }

  /// Handles places until none is left.
  func run() {
    while true {
      let place = taken.wrappingAdd(1, ordering: .relaxed).oldValue
      guard place < nodes.count else { return }
      results[place] = simulation.handleInputs(inputs[place], of: nodes[place], before: limit)
    }
  }
}
