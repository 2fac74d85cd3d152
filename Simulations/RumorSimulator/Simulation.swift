@_spi(Simulation) import RumorCore
import RumorWire

/// Thousands of real `ClusterNode`s (SWIM and Serf, the machine the agent
/// runs) on a virtual network and a virtual clock, with the real codec in
/// between (bytes and packet limits are real).
///
/// One seed gives one run, event for event: every random choice comes from
/// seeded generators and ties between simultaneous events go to the one
/// scheduled first.
public final class Simulation {
  /// What to simulate.
  public struct Configuration: Sendable {
    /// How many nodes exist (not all need to be running).
    public var nodes: Int
    /// The seed of every random choice.
    public var seed: UInt64
    /// The protocol settings of every node.
    public var settings: SWIMSettings
    /// The Serf settings of every node; nil runs plain memberlist nodes
    /// (no Serf messages, no reconnect), as runs before Serf was simulated.
    public var serf: SerfSettings?
    /// The network.
    public var network: NetworkModel
    /// Label and keys of every node.
    public var wire: WireOptions
    /// How many datagrams a paused node's socket buffer holds (the kernel's
    /// default 208 KiB receive buffer holds a few hundred full packets).
    public var socketBufferPackets: Int
    /// Whether every node's invariants are checked after each of its
    /// inputs (`SWIMNode.invariantViolations`): a pass over its table each
    /// time, so off by default and on in the tests.
    public var checksInvariants = false
    /// How many threads run the nodes' inputs (1 by default). Above 1,
    /// inputs that arrive at different nodes within the network's
    /// smallest latency of each other are handled side by side, and what
    /// they did is applied in the order a single thread would have: the
    /// run is the same event for event (see `run(until:stop:)` for the
    /// one thing a caller may see differently).
    public var threads = 1

    /// Creates a configuration.
    public init(
      nodes: Int, seed: UInt64, settings: SWIMSettings = SWIMSettings(),
      serf: SerfSettings? = SerfSettings(), network: NetworkModel = NetworkModel(),
      wire: WireOptions = WireOptions(), socketBufferPackets: Int = 256
    ) {
      self.nodes = nodes
      self.seed = seed
      self.settings = settings
      self.serf = serf
      self.network = network
      self.wire = wire
      self.socketBufferPackets = socketBufferPackets
    }
  }

  /// Something a scenario makes happen.
  public enum Action: Sendable {
    /// Start node `index` and join it through `via` (nil: join nobody).
    case start(Int, via: Int?)
    /// Start nodes `indices` as a cluster that has converged already:
    /// each starts alone, then gets one anti-entropy push-pull (not a
    /// join) carrying every one of their states, SWIM's and Serf's, as a
    /// peer that knew them all would send it (see `seedConvergedViews`).
    case startConverged(Range<Int>)
    /// Kill node `index` at once (kill -9): it stops, nothing is sent.
    case kill(Int)
    /// Stop node `index` handling packets and timers until `resume`.
    case pause(Int)
    /// Let a paused node catch up: buffered packets, then its timers.
    case resume(Int)
    /// Node `index` leaves gracefully, then stops after `after`.
    case leave(Int, stopAfter: Duration)
    /// Split the nodes into groups (group number per node).
    case partition([Int])
    /// Remove any partition.
    case heal
    /// Set the loss of node `index`'s packets, both ways.
    case nodeLoss(Int, ingress: Double, egress: Double)
    /// Node `index` sends a user event to the cluster.
    case userEvent(Int, name: String, payload: [UInt8])
    /// Node `index` sends a query asking for acks; every member that gets
    /// it answers with its name. It is finished at `timeout` (nil: Serf's
    /// default, gossip interval × 16 × ⌈log10(n + 1)⌉).
    case query(Int, name: String, timeout: Duration? = nil)
  }

  /// Receives what happens, for the metrics.
  public protocol Observer: AnyObject {
    /// Node `observer` saw a membership change.
    func membershipEvent(_ event: MembershipEvent, at observer: Int, time: Int64)
    /// Node `index` handled something (its view may have changed); it
    /// sees `aliveView` members alive (itself included) now.
    func touched(_ index: Int, aliveView: Int, time: Int64)
    /// Node `observer` delivered a user event.
    func userEvent(_ event: UserEvent, at observer: Int, time: Int64)
    /// Node `observer` was handed a query to answer.
    func query(_ query: IncomingQuery, at observer: Int, time: Int64)
    /// Node `asker` got an ack, a response or the end of its query.
    func queryReply(_ reply: QueryReply, at asker: Int, time: Int64)
  }

  enum Event {
    case deliver(to: Int, from: Int, bytes: [UInt8])
    case wake(Int, generation: Int)
    case streamArrives(to: Int, from: Int, generation: Int, id: UInt64, request: [UInt8])
    case streamReply(to: Int, generation: Int, id: UInt64, bytes: [UInt8])
    case streamFails(to: Int, generation: Int, id: UInt64, reason: String, refused: Bool)
    case action(Action)

    /// The node whose input this is; nil for a scenario's action, which
    /// may touch any node and the network.
    var node: Int? {
      switch self {
      case .deliver(let to, _, _), .streamArrives(let to, _, _, _, _),
        .streamReply(let to, _, _, _),
        .streamFails(let to, _, _, _, _):
        return to
      case .wake(let index, _): return index
      case .action: return nil
      }
    }

    /// Whether this is a node's wake-up.
    var isWake: Bool {
      if case .wake = self { return true }
      return false
    }
  }

  /// A running node, boxed so that reading or changing it never copies
  /// the state machine (a copy would duplicate its member table). What
  /// only this node's inputs read and change lives here too, so that
  /// inputs at different nodes can run side by side.
  final class NodeSlot {
    var node: ClusterNode
    /// The incarnations at the last incarnation check.
    var incarnations: [String: UInt32] = [:]
    /// Inputs since then.
    var inputs = 0
    /// The time of the one wake-up that counts (earlier ones scheduled
    /// for a deadline that moved are ignored when they come).
    var scheduledWake: Int64?
    /// The streams this node opened that have neither an answer nor a
    /// failure yet.
    var openStreams: Set<UInt64> = []
    init(_ node: ClusterNode) { self.node = node }

    /// `node.swim.aliveMemberCount`, read in place: the monitor asks after
    /// every input, and reached through an optional the state machine
    /// was copied (every reference in it retained and released) to
    /// answer.
    var aliveView: Int { node.swim.aliveMemberCount }

    /// `node.swim.activeMemberCount`, read in place.
    var activeView: Int { node.swim.activeMemberCount }

    /// `node.nextDeadline`, read in place (asked after every input):
    /// called on the stored property, the getter was handed a copy of the
    /// whole state machine (every reference in it retained and released).
    var nextDeadline: Timestamp? {
      withUnsafeMutablePointer(to: &node) { $0.pointee.nextDeadline }
    }
  }

  /// The configuration.
  public let configuration: Configuration
  /// The network, which scenarios may change between events.
  public var network: NetworkModel
  /// The virtual time, in nanoseconds.
  public internal(set) var now: Int64 = 0
  /// Gets every membership event and node activity.
  public weak var observer: Observer?
  /// Datagrams handed to the network, and bytes, by all nodes (including
  /// those lost on the way).
  public private(set) var packetsSent = 0
  /// Bytes of those datagrams.
  public private(set) var bytesSent = 0
  /// The largest datagram any node sent.
  public private(set) var largestPacket = 0
  /// Streams opened by all nodes.
  public private(set) var streamsOpened = 0
  /// The invariant violations found (the first 100), each with the node
  /// and the virtual time; checked only with `checksInvariants`.
  public private(set) var invariantViolations: [String] = []

  private(set) var nodes: [NodeSlot?]
  private(set) var generations: [Int]
  private(set) var paused: [Bool]
  private var bufferedPackets: [[(from: Int, bytes: [UInt8])]]
  private var bufferedStreams: [[(from: Int, generation: Int, id: UInt64, request: [UInt8])]]
  var queue = EventQueue<Event>()
  private var random: SplitMix64
  let addresses: [NodeAddress]
  private let indexByAddress: [NodeAddress: Int]
  /// The window a run stopped in, with inputs handled and not yet
  /// applied (only with more than one thread).
  var pendingWindow: InputWindow?
  /// Each node's place in the current window (-1: not in it).
  var windowPlaces: [Int32]
  /// Each node's figures as of its last input applied.
  private var figures: [NodeFigures?]

  /// Creates the simulation; no node runs until started.
  public init(_ configuration: Configuration) {
    self.configuration = configuration
    network = configuration.network
    random = SplitMix64(seed: configuration.seed)
    let count = configuration.nodes
    nodes = Array(repeating: nil, count: count)
    generations = Array(repeating: 0, count: count)
    paused = Array(repeating: false, count: count)
    bufferedPackets = Array(repeating: [], count: count)
    bufferedStreams = Array(repeating: [], count: count)
    windowPlaces = Array(repeating: -1, count: count)
    figures = Array(repeating: nil, count: count)
    addresses = (0..<count).map(Self.address)
    indexByAddress = Dictionary(uniqueKeysWithValues: addresses.enumerated().map { ($1, $0) })
  }

  /// Node `index`'s address: 10.x.y.z:7946.
  public static func address(_ index: Int) -> NodeAddress {
    NodeAddress(
      ipv4: 10, UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
      UInt8(truncatingIfNeeded: index), port: 7946)
  }

  /// Node `index`'s name.
  public static func name(_ index: Int) -> String { "n\(index)" }

  /// The index of the node named `name`, if it is one of ours.
  public static func index(of name: String) -> Int? {
    guard name.first == "n" else { return nil }
    return Int(name.dropFirst())
  }

  // MARK: Running

  /// Schedules `action` at virtual time `time` (nanoseconds).
  public func schedule(_ action: Action, at time: Int64) {
    queue.schedule(.action(action), at: max(time, now))
  }

  /// Runs events until `end` (nanoseconds) or until `stop` returns true
  /// (checked after each event). Returns whether `stop` ended the run.
  ///
  /// With more than one thread, a run that `stop` ends in the middle of
  /// a window (inputs within the network's smallest latency of each
  /// other) keeps what the window's later inputs did, to apply first
  /// when the next run starts: the order and the time of every event are
  /// the same as with one thread, and so are `figures(of:)`, the views
  /// and what the observer hears; but until then `node(_:)` and
  /// `cluster(_:)` of a node of that window may be up to that latency
  /// ahead, and a scenario must not schedule an action inside that
  /// window (a precondition stops the run if one does).
  @discardableResult
  public func run(until end: Int64, stop: () -> Bool = { false }) -> Bool {
    if configuration.threads > 1 { return runWindows(until: end, stop: stop) }
    while let time = queue.nextTime, time <= end {
      handleNext()
      if stop() { return true }
    }
    now = max(now, end)
    return false
  }

  /// Takes the next event from the agenda and handles it at its time.
  func handleNext() {
    guard let (time, event) = queue.pop() else { return }
    now = time
    handle(event)
  }

  /// Whether node `index` is running (started and not killed or stopped).
  public func isRunning(_ index: Int) -> Bool { nodes[index] != nil }

  /// Whether node `index` is paused.
  public func isPaused(_ index: Int) -> Bool { paused[index] }

  /// Node `index`'s SWIM state machine, if it runs. With more than one
  /// thread, after a run stopped in the middle of a window it may be up
  /// to one window ahead (`run(until:stop:)`); `figures(of:)` is not.
  public func node(_ index: Int) -> SWIMNode? { nodes[index]?.node.swim }

  /// Node `index`'s whole state machine (SWIM and Serf), if it runs; like
  /// `node(_:)`, possibly ahead after a run stopped inside a window.
  public func cluster(_ index: Int) -> ClusterNode? { nodes[index]?.node }

  /// How many members node `index` sees alive or suspect (itself
  /// included): its view of who is in the cluster.
  public func activeView(_ index: Int) -> Int { figures(of: index)?.activeView ?? 0 }

  /// How many members node `index` sees alive (itself included).
  public func aliveView(_ index: Int) -> Int { figures(of: index)?.aliveView ?? 0 }

  /// Node `index`'s views and counters as of its last input applied, if
  /// it runs. Unlike `node(_:)`, exact for the run's `now` even after a
  /// run with more than one thread stopped in the middle of a window.
  public func figures(of index: Int) -> NodeFigures? {
    nodes[index] == nil ? nil : figures[index]
  }

  // MARK: Events

  /// Handles one event: a scenario's action, or one node's input, its
  /// effects then applied.
  func handle(_ event: Event) {
    guard let index = event.node else {
      if case .action(let action) = event { perform(action) }
      return
    }
    apply(step(event, at: now), of: index)
  }

  /// What one input does at its node, computed touching only that node
  /// (its slot) and reading what no input changes: safe to run beside
  /// inputs at other nodes. `apply` then does the rest.
  func step(_ event: Event, at time: Int64) -> NodeStep {
    let timestamp = Timestamp(nanoseconds: time)
    switch event {
    case .deliver(let to, let from, let bytes):
      guard let slot = nodes[to] else { return .nothing }
      if paused[to] { return .bufferPacket(from: from, bytes: bytes) }
      let effects = slot.node.receivePacket(bytes, from: addresses[from], now: timestamp)
      return .performed(output(effects, of: to, at: time))
    case .wake(let index, let generation):
      guard generation == generations[index], let slot = nodes[index], !paused[index],
        slot.scheduledWake == time
      else { return .nothing }
      slot.scheduledWake = nil
      return .performed(output(slot.node.tick(now: timestamp), of: index, at: time))
    case .streamArrives(let to, let from, let generation, let id, let request):
      guard nodes[to] != nil else {
        return .refuseStream(from: from, generation: generation, id: id)
      }
      if paused[to] {
        return .bufferStream(from: from, generation: generation, id: id, request: request)
      }
      return answer(request, at: to, from: from, generation: generation, id: id, time: time)
    case .streamReply(let to, let generation, let id, let bytes):
      guard generation == generations[to], let slot = nodes[to], slot.openStreams.remove(id) != nil
      else { return .nothing }
      return .performed(
        output(slot.node.streamReplied(id: id, bytes: bytes, now: timestamp), of: to, at: time))
    case .streamFails(let to, let generation, let id, let reason, let refused):
      guard generation == generations[to], let slot = nodes[to], slot.openStreams.remove(id) != nil
      else { return .nothing }
      let effects = slot.node.streamFailed(id: id, reason: reason, refused: refused, now: timestamp)
      return .performed(output(effects, of: to, at: time))
    case .action:
      preconditionFailure("a scenario's action is not one node's input")
    }
  }

  /// Node `index` answers a stream from `from`, if the network lets it
  /// through.
  private func answer(
    _ request: [UInt8], at index: Int, from: Int, generation: Int, id: UInt64, time: Int64
  ) -> NodeStep {
    guard network.connected(from, index), let slot = nodes[index] else { return .nothing }
    let (answer, effects) = slot.node.handleStream(
      request, from: addresses[from], now: Timestamp(nanoseconds: time))
    var reply: [UInt8]?
    if case .reply(let bytes) = answer { reply = bytes }
    return .answered(
      output(effects, of: index, at: time), reply: reply, from: from, generation: generation,
      id: id)
  }

  /// Applies what a node's input did to everything the nodes share (the
  /// network, the agenda, the counters, the observer), at `now`.
  func apply(_ step: NodeStep, of index: Int) {
    switch step {
    case .nothing:
      break
    case .performed(let output):
      apply(output, of: index)
    case .bufferPacket(let from, let bytes):
      if bufferedPackets[index].count < configuration.socketBufferPackets {
        bufferedPackets[index].append((from, bytes))
      }
    case .bufferStream(let from, let generation, let id, let request):
      bufferedStreams[index].append((from, generation, id, request))
    case .refuseStream(let from, let generation, let id):
      let back = latency(index, from)
      queue.schedule(
        .streamFails(
          to: from, generation: generation, id: id, reason: "connection refused", refused: true),
        at: now + back)
    case .answered(let output, let reply, let from, let generation, let id):
      apply(output, of: index)
      if let bytes = reply {
        let late = network.retransmissionDelay([(index, from, 200)], random: &random)
        queue.schedule(
          .streamReply(to: from, generation: generation, id: id, bytes: bytes),
          at: now + latency(index, from) + late)
      }
    }
  }

  private func perform(_ action: Action) {
    switch action {
    case .start(let index, let via):
      guard nodes[index] == nil else { return }
      generations[index] += 1
      paused[index] = false
      bufferedPackets[index] = []
      bufferedStreams[index] = []
      do {
        var wire = configuration.wire
        // Nonces come from the OS on a real node; a run must replay byte for
        // byte, and its packets never leave the process.
        if wire.keyring != nil {
          wire.nonceSource = .seeded(
            UInt32(truncatingIfNeeded: configuration.seed &+ UInt64(index) &* 31))
        }
        var node = try ClusterNode(
          name: Self.name(index), address: addresses[index], settings: configuration.settings,
          serf: configuration.serf, wire: wire,
          seed: configuration.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15
            &+ UInt64(generations[index]))
        var effects = node.start(now: timestamp)
        if let via, via != index { effects += node.join([addresses[via]], now: timestamp) }
        nodes[index] = NodeSlot(node)
        perform(effects, of: index)
      } catch {
        // Settings are validated before a run starts; nothing to start.
        return
      }
    case .startConverged(let indices):
      for index in indices { perform(.start(index, via: nil)) }
      seedConvergedViews(Array(indices.filter { nodes[$0] != nil }))
    case .kill(let index):
      nodes[index] = nil
      paused[index] = false
      bufferedPackets[index] = []
      bufferedStreams[index] = []
    case .pause(let index):
      if nodes[index] != nil { paused[index] = true }
    case .resume(let index):
      guard paused[index] else { return }
      paused[index] = false
      let packets = bufferedPackets[index]
      bufferedPackets[index] = []
      for (from, bytes) in packets {
        perform(
          nodes[index]?.node.receivePacket(bytes, from: addresses[from], now: timestamp) ?? [],
          of: index
        )
      }
      let streams = bufferedStreams[index]
      bufferedStreams[index] = []
      for stream in streams {
        apply(
          answer(
            stream.request, at: index, from: stream.from, generation: stream.generation,
            id: stream.id, time: now), of: index)
      }
      nodes[index]?.scheduledWake = nil
      perform(nodes[index]?.node.tick(now: timestamp) ?? [], of: index)
    case .leave(let index, let stopAfter):
      perform(nodes[index]?.node.leave(now: timestamp, timeout: stopAfter) ?? [], of: index)
      queue.schedule(.action(.kill(index)), at: now + stopAfter.nanosecondsClamped)
    case .partition(let groups):
      network.partition = groups
    case .heal:
      network.partition = []
    case .nodeLoss(let index, let ingress, let egress):
      network.ingressLoss[index] = ingress
      network.egressLoss[index] = egress
    case .query(let index, let name, let timeout):
      guard
        let (_, effects) = try? nodes[index]?.node.sendQuery(
          name: name, payload: [], options: QueryOptions(requestAck: true, timeout: timeout),
          now: timestamp)
      else { return }
      perform(effects, of: index)
    case .userEvent(let index, let name, let payload):
      // An event over the size limit is the scenario's mistake: nothing
      // is sent, as the agent would refuse it.
      guard
        let effects = try? nodes[index]?.node.sendUserEvent(
          name: name, payload: payload, now: timestamp)
      else { return }
      perform(effects, of: index)
    }
  }

  /// Gives each of `indices` every other one's state through the core's
  /// real input for it: a push-pull stream (anti-entropy, `join` false)
  /// such as a peer that had met them all would open.
  ///
  /// Each node's own state comes from the node itself: its answer to a
  /// push-pull that carries nothing (its member record, and Serf's clocks
  /// and status time). Their union goes to every node, so that each
  /// learns every member (and, as after any anti-entropy exchange, does
  /// not gossip them: they are not new to the cluster), and its Serf
  /// layer the clocks and every member's status time, as from a join's
  /// push-pull. No node sends a join intent: Serf's layer announces
  /// itself once a join has reached someone, and nobody joined.
  private func seedConvergedViews(_ indices: [Int]) {
    guard indices.count > 1 else { return }
    var wire = configuration.wire
    // Sent as a peer with memberlist's compression off would: accepted
    // alike, and not decompressed a thousand times over.
    wire.compression = false
    if wire.keyring != nil {
      wire.nonceSource = .seeded(UInt32(truncatingIfNeeded: configuration.seed))
    }
    let codec = StreamCodec(options: wire)
    let hasSerf = configuration.serf != nil
    func request(_ states: [PushNodeState], serf: SerfPushPull) -> [UInt8]? {
      let userState = hasSerf ? SerfMessage.pushPull(serf).encoded() : []
      return try? codec.encode(
        .pushPull(PushPull(join: false, states: states, userState: userState)), includeLabel: true)
    }
    func ask(_ index: Int, _ bytes: [UInt8]) -> [UInt8]? {
      let peer = addresses[index == indices[0] ? indices[1] : indices[0]]
      guard
        let (answer, effects) = nodes[index]?.node.handleStream(bytes, from: peer, now: timestamp)
      else { return nil }
      perform(effects, of: index)
      guard case .reply(let reply) = answer else { return nil }
      return reply
    }
    guard let survey = request([], serf: SerfPushPull()) else { return }
    var states: [PushNodeState] = []
    var serf = SerfPushPull()
    // Gathered apart and set once: `statusLamportTimes` is a view of
    // the name-ordered list, rebuilt (and sorted) on every write.
    var statusTimes: [String: UInt64] = [:]
    for index in indices {
      guard let reply = ask(index, survey),
        case .pushPull(let own) = try? codec.decode(reply[...], allowLabel: false).message
      else { continue }
      states += own.states.filter { $0.name == Self.name(index) }
      guard hasSerf, case .pushPull(let theirs) = try? SerfMessage(decoding: own.userState[...])
      else { continue }
      serf.lamportTime = max(serf.lamportTime, theirs.lamportTime)
      serf.eventLamportTime = max(serf.eventLamportTime, theirs.eventLamportTime)
      serf.queryLamportTime = max(serf.queryLamportTime, theirs.queryLamportTime)
      statusTimes.merge(theirs.statusLamportTimes) { max($0, $1) }
    }
    serf.statusLamportTimes = statusTimes
    guard let everyone = request(states, serf: serf) else { return }
    for index in indices {
      _ = ask(index, everyone)
      // Without quiet merges each node queued every member the merge
      // brought: a cluster converged long ago has sent all that.
      nodes[index]?.node.settleGossip()
    }
  }

  /// Handles node `index`'s effects now: what they do to the node
  /// itself, then to everything shared.
  private func perform(_ effects: [Effect], of index: Int) {
    apply(output(effects, of: index, at: now), of: index)
  }

  /// The part of handling node `index`'s effects that touches only the
  /// node: its invariants checked, its streams noted, the queries handed
  /// to it answered (every simulated member answers at once, with its
  /// name), and its next wake-up.
  func output(_ effects: [Effect], of index: Int, at time: Int64) -> NodeOutput {
    var output = NodeOutput(effects: effects)
    guard let slot = nodes[index] else { return output }
    if configuration.checksInvariants {
      // The table after every input; incarnations against a copy taken
      // every 16 inputs (taking one is the costly part).
      slot.inputs += 1
      let compare = slot.inputs % 16 == 0
      output.problems = slot.node.swim.invariantViolations(
        previous: compare ? slot.incarnations : [:])
      if compare { slot.incarnations = slot.node.swim.incarnations }
    }
    for effect in effects {
      switch effect {
      case .openStream(let id, _, _, _, _):
        slot.openStreams.insert(id)
      case .query(let query):
        let answer = try? slot.node.respond(
          to: query, payload: Array(Self.name(index).utf8), now: Timestamp(nanoseconds: time))
        output.answers.append(answer.map { self.output($0, of: index, at: time) })
      default:
        break
      }
    }
    output.figures = NodeFigures(
      aliveView: slot.aliveView, activeView: slot.activeView, counters: slot.node.swim.counters,
      serfCounters: slot.node.serfCounters)
    if let deadline = slot.nextDeadline?.nanoseconds {
      let wake = max(deadline, time)
      if slot.scheduledWake.map({ $0 > wake }) ?? true {
        slot.scheduledWake = wake
        output.wake = wake
      }
    }
    return output
  }

  /// The rest of handling node `index`'s effects, at `now`: packets and
  /// streams onto the network, events to the observer, the node's
  /// answers to queries, its wake-up onto the agenda.
  private func apply(_ output: NodeOutput, of index: Int) {
    for problem in output.problems where invariantViolations.count < 100 {
      invariantViolations.append("at \(now) ns: \(problem)")
    }
    // A weak reference, loaded once rather than for every event.
    let observer = self.observer
    var answers = output.answers.makeIterator()
    for effect in output.effects {
      switch effect {
      case .send(let bytes, let target):
        packetsSent += 1
        bytesSent += bytes.count
        largestPacket = max(largestPacket, bytes.count)
        guard let to = indexByAddress[target], network.delivers(index, to, random: &random) else {
          continue
        }
        queue.schedule(.deliver(to: to, from: index, bytes: bytes), at: now + latency(index, to))
      case .openStream(let id, let target, let request, let timeout, let connectTimeout):
        streamsOpened += 1
        let generation = generations[index]
        let timedOut = Event.streamFails(
          to: index, generation: generation, id: id, reason: "timed out", refused: false)
        guard let to = indexByAddress[target], network.connected(index, to) else {
          // Never connected: over at the connect timeout, if there is one.
          queue.schedule(timedOut, at: now + (connectTimeout ?? timeout).nanosecondsClamped)
          continue
        }
        // SYN and SYN-ACK after the initial 1 s timeout, the request after
        // Linux's 200 ms minimum.
        let handshake = network.retransmissionDelay(
          [(index, to, 1000), (to, index, 1000)], random: &random)
        let late = handshake + network.retransmissionDelay([(index, to, 200)], random: &random)
        let oneWay = latency(index, to)
        if let connect = connectTimeout?.nanosecondsClamped, handshake + 2 * oneWay > connect {
          // A lost SYN or SYN-ACK is retransmitted after the connect
          // timeout: the attempt is over by then.
          queue.schedule(
            .streamFails(
              to: index, generation: generation, id: id, reason: "connect timed out",
              refused: false),
            at: now + connect)
          continue
        }
        queue.schedule(timedOut, at: now + timeout.nanosecondsClamped)
        queue.schedule(
          .streamArrives(to: to, from: index, generation: generation, id: id, request: request),
          at: now + oneWay + late)
      case .event(let event):
        observer?.membershipEvent(event, at: index, time: now)
      case .userEvent(let event):
        observer?.userEvent(event, at: index, time: now)
      case .query(let query):
        observer?.query(query, at: index, time: now)
        if let answer = answers.next() ?? nil { apply(answer, of: index) }
      case .queryReply(let reply):
        observer?.queryReply(reply, at: index, time: now)
      case .deliver, .joinFinished, .leaveFinished:
        break
      case .nameConflictLost:
        // Simulated members have unique names; a scenario that gives two
        // the same would see the loser keep running here.
        break
      }
    }
    if let figures = output.figures { self.figures[index] = figures }
    observer?.touched(index, aliveView: output.figures?.aliveView ?? 0, time: now)
    if let wake = output.wake {
      queue.schedule(.wake(index, generation: generations[index]), at: wake)
    }
  }

  private func latency(_ from: Int, _ to: Int) -> Int64 {
    network.latency(from, to, seed: configuration.seed, random: &random)
  }

  private var timestamp: Timestamp { Timestamp(nanoseconds: now) }

}
