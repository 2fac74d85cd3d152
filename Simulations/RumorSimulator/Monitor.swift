import RumorCore

/// Watches a simulation and measures what the scenarios report:
/// convergence, detection of failed and left members, false positives,
/// and the curves for the report.
public final class Monitor: Simulation.Observer {
  /// Nodes a scenario made faulty (killed, paused, lossy); news about all
  /// others is judged as news about healthy members.
  public private(set) var faulty: Set<Int> = []
  /// Members every running node should see alive.
  public private(set) var expectedAlive: Set<Int> = []

  /// Suspicion events about healthy members, anywhere.
  public private(set) var falseSuspicions = 0
  /// Failure events about healthy members, anywhere.
  public private(set) var falseDeaths = 0
  /// Failure events about healthy members raised by healthy members
  /// (Lifeguard's FP-).
  public private(set) var falseDeathsAtHealthy = 0
  /// Healthy members ever suspected by anyone.
  public private(set) var healthySuspected: Set<Int> = []
  /// Healthy members ever declared failed by anyone.
  public private(set) var healthyDeclaredDead: Set<Int> = []
  /// Failure events about members that are faulty but not dead (paused or
  /// lossy): correct by the protocol's definition, but what Lifeguard
  /// tries to avoid for merely slow members.
  public private(set) var faultyButAliveDeclaredDead = 0
  /// Suspicion events in total.
  public private(set) var suspicionEvents = 0
  /// Failure events in total.
  public private(set) var failureEvents = 0
  /// Failure events about members that were not dead (Lifeguard's FP: a
  /// stalled or lossy member is slow, not failed).
  public private(set) var failuresAboutLiving = 0
  /// Of those, the ones raised at faulty members (Lifeguard found most
  /// false positives are raised at the slow members themselves).
  public private(set) var failuresAboutLivingAtFaulty = 0
  /// Healthy members ever declared failed by a healthy member.
  public private(set) var healthyDeclaredDeadByHealthy: Set<Int> = []
  /// What healthy members think of the faulty ones, once asked for.
  public private(set) var faultyViews: FaultyViewTracker?
  /// The traffic window, once opened.
  public private(set) var loadWindow: LoadWindow?
  /// How each side of a partition came to hold the other failed, once
  /// asked for.
  public private(set) var split: SplitTracker?
  /// Observers that saw a gracefully leaving member as failed.
  public private(set) var leaversSeenFailed = 0

  /// When all running nodes first saw exactly the expected members alive.
  public private(set) var convergedAt: Int64?
  private var convergedNodes: Set<Int> = []
  private var runningCount = 0

  /// For each watched departure: when it happened, and per observer when
  /// it was noticed.
  public struct Departure: Sendable {
    /// The member that was killed or left.
    public var member: Int
    /// When.
    public var time: Int64
    /// Whether it left gracefully.
    public var graceful: Bool
    /// When each observer first marked it failed or left.
    public var noticed: [Int: Int64] = [:]
    /// When anyone first suspected it after it went (SWIM's "first
    /// detection"; nil if nobody did).
    public var firstSuspected: Int64?
  }
  /// Departures being watched, in order.
  public private(set) var departures: [Departure] = []
  private var departureIndex: [Int: Int] = [:]
  private var dead: Set<Int> = []

  /// One point of the informed-fraction curve.
  public struct Sample: Sendable {
    /// Seconds of virtual time.
    public var time: Double
    /// Fraction of running nodes that see exactly the membership expected
    /// at that time alive, and nobody else alive or suspect: after a join
    /// every member; once a member has crashed or left, all but it (a node
    /// that only suspects it is not yet informed, nor one that suspects a
    /// healthy member). The same test as convergence.
    public var informed: Double
  }
  /// The informed-fraction curve.
  public private(set) var samples: [Sample] = []
  /// Distinct sizes of the alive view each node went through (Rapid's
  /// "unique cluster sizes"), one bit set per node; only when asked for,
  /// as it costs a bit per node and possible size.
  private var viewSizes: [[UInt64]] = []

  private unowned let simulation: Simulation

  /// Watches `simulation`; `countViewSizes` records the distinct view
  /// sizes each node goes through.
  public init(_ simulation: Simulation, countViewSizes: Bool = false) {
    self.simulation = simulation
    if countViewSizes {
      let words = (simulation.configuration.nodes + 64) / 64
      viewSizes = Array(
        repeating: Array(repeating: 0, count: words), count: simulation.configuration.nodes)
    }
    simulation.observer = self
  }

  /// The mean and the largest number of distinct alive-view sizes a node
  /// went through; nil unless counted.
  public var distinctViewSizes: (mean: Double, maximum: Int)? {
    guard !viewSizes.isEmpty else { return nil }
    let counts = viewSizes.map { words in words.reduce(0) { $0 + $1.nonzeroBitCount } }
    let seen = counts.filter { $0 > 0 }
    guard !seen.isEmpty else { return (0, 0) }
    return (Double(seen.reduce(0, +)) / Double(seen.count), seen.max() ?? 0)
  }

  /// A node started: expect every node to see it.
  public func started(_ index: Int) {
    expectedAlive.insert(index)
    dead.remove(index)
    runningCount += 1
    resetConvergence()
  }

  /// A node was made faulty; if `departs`, it is gone for good (killed or
  /// leaving) and its detection is timed.
  public func fault(_ index: Int, departs: Bool, graceful: Bool = false, time: Int64) {
    faulty.insert(index)
    guard departs else { return }
    expectedAlive.remove(index)
    dead.insert(index)
    runningCount -= 1
    convergedNodes.remove(index)
    departureIndex[index] = departures.count
    departures.append(Departure(member: index, time: time, graceful: graceful))
    resetConvergence()
  }

  /// From now on, follow what healthy members think of `groups` (each a
  /// name and faulty node indices); call when the views are settled.
  public func trackFaultyViews(_ groups: [(name: String, members: [Int])]) {
    faultyViews = FaultyViewTracker(groups: groups, simulation: simulation, at: simulation.now)
  }

  /// From `start` until `end`, follow how each side of a split into
  /// `groups` (each node's side) declares the other side failed.
  public func trackSplit(_ groups: [Int], from start: Int64, until end: Int64) {
    split = SplitTracker(groups: groups, from: start, until: end)
  }

  /// Starts counting traffic now, for the steady-state load figures.
  public func openLoadWindow() {
    loadWindow = LoadWindow(simulation, at: simulation.now)
  }

  /// Starts looking for convergence afresh (the expected view changed).
  public func resetConvergence() {
    convergedAt = nil
    convergedNodes = []
  }

  /// Whether every running node sees exactly the expected members alive.
  public var isConverged: Bool { convergedAt != nil }

  /// How many nodes delivered each user event, by name, and when the
  /// last of them did.
  public private(set) var userEventDeliveries: [String: (count: Int, last: Int64)] = [:]

  /// How many times each member delivered each user event, by member
  /// and event name (once each is right).
  public private(set) var userEventsByMember: [Int: [String: Int]] = [:]

  /// Queries handed to members to answer.
  public private(set) var queriesDelivered = 0
  /// Queries handed to each member to answer, by member.
  public private(set) var queriesByMember: [Int: Int] = [:]
  /// Acks the askers of queries got.
  public private(set) var queryAcks = 0
  /// Acks the askers got, by the member that acked.
  public private(set) var queryAcksByMember: [String: Int] = [:]
  /// Responses the askers of queries got.
  public private(set) var queryResponses = 0
  /// Responses the askers got, by the member that answered.
  public private(set) var queryResponsesByMember: [String: Int] = [:]
  /// Queries whose deadline passed.
  public private(set) var queriesFinished = 0

  /// Records a point of the informed curve. A departure counts from the
  /// moment it happens, not from when the scenario scheduled it.
  public func sample(time: Int64) {
    var informed = 0
    var running = 0
    let pending = departures.filter { $0.time > time }.map(\.member)
    let expected = expectedAlive.count + pending.count
    for index in expectedAlive.union(pending) where simulation.isRunning(index) {
      running += 1
      if simulation.aliveView(index) == expected && simulation.activeView(index) == expected {
        informed += 1
      }
    }
    samples.append(
      Sample(
        time: Double(time) / 1e9, informed: running == 0 ? 0 : Double(informed) / Double(running)))
  }

  // MARK: Observer

  /// Counts a user event delivered at `observer`.
  public func userEvent(_ event: UserEvent, at observer: Int, time: Int64) {
    let seen = userEventDeliveries[event.name] ?? (0, time)
    userEventDeliveries[event.name] = (seen.count + 1, max(seen.last, time))
    userEventsByMember[observer, default: [:]][event.name, default: 0] += 1
  }

  /// How many of `members` delivered each of `events` exactly once, and
  /// nothing else.
  public func membersDeliveringOnce(_ events: Set<String>, of members: Range<Int>) -> Int {
    members.count { member in
      let delivered = userEventsByMember[member] ?? [:]
      return Set(delivered.keys) == events && delivered.values.allSatisfy { $0 == 1 }
    }
  }

  /// Counts a query handed to `observer`.
  public func query(_ query: IncomingQuery, at observer: Int, time: Int64) {
    queriesDelivered += 1
    queriesByMember[observer, default: 0] += 1
  }

  /// Counts what an asker got back.
  public func queryReply(_ reply: QueryReply, at asker: Int, time: Int64) {
    switch reply {
    case .ack(_, let from):
      queryAcks += 1
      queryAcksByMember[from, default: 0] += 1
    case .response(_, let from, _):
      queryResponses += 1
      queryResponsesByMember[from, default: 0] += 1
    case .finished: queriesFinished += 1
    }
  }

  /// Counts a membership event seen by `observer`.
  public func membershipEvent(_ event: MembershipEvent, at observer: Int, time: Int64) {
    guard let subject = Simulation.index(of: event.member.name) else { return }
    let healthySubject = !faulty.contains(subject)
    faultyViews?.record(event, subject: subject, at: observer, time: time)
    switch event {
    case .suspected:
      suspicionEvents += 1
      if healthySubject {
        falseSuspicions += 1
        healthySuspected.insert(subject)
      }
      noteSuspicion(subject, observer: observer, time: time)
    case .failed:
      failureEvents += 1
      split?.noteFailure(of: subject, at: observer, time: time)
      if !dead.contains(subject) {
        failuresAboutLiving += 1
        if faulty.contains(observer) { failuresAboutLivingAtFaulty += 1 }
      }
      if healthySubject {
        falseDeaths += 1
        healthyDeclaredDead.insert(subject)
        if !faulty.contains(observer) {
          falseDeathsAtHealthy += 1
          healthyDeclaredDeadByHealthy.insert(subject)
        }
      } else if !dead.contains(subject) {
        faultyButAliveDeclaredDead += 1
      }
      noteDeparture(subject, observer: observer, time: time, asFailure: true)
    case .left:
      noteDeparture(subject, observer: observer, time: time, asFailure: false)
    case .joined, .updated, .recovered, .stoodDown, .resumed, .reaped:
      break
    }
  }

  private func noteSuspicion(_ subject: Int, observer: Int, time: Int64) {
    // A departure is registered when it is scheduled; only suspicions
    // after the member actually went count as detecting it.
    guard let position = departureIndex[subject], observer != subject,
      departures[position].firstSuspected == nil, time >= departures[position].time
    else { return }
    departures[position].firstSuspected = time
  }

  private func noteDeparture(_ subject: Int, observer: Int, time: Int64, asFailure: Bool) {
    guard let position = departureIndex[subject], observer != subject,
      departures[position].noticed[observer] == nil
    else { return }
    departures[position].noticed[observer] = time
    if asFailure && departures[position].graceful { leaversSeenFailed += 1 }
  }

  /// Checks whether `index` now sees the expected view.
  public func touched(_ index: Int, aliveView view: Int, time: Int64) {
    if index < viewSizes.count, view / 64 < viewSizes[index].count {
      viewSizes[index][view / 64] |= 1 << UInt64(view % 64)
    }
    guard convergedAt == nil, expectedAlive.contains(index) else { return }
    if view == expectedAlive.count && simulation.isRunning(index) {
      convergedNodes.insert(index)
    } else {
      convergedNodes.remove(index)
    }
    if convergedNodes.count == runningCount && runningCount > 0 {
      convergedAt = time
    }
  }

  // MARK: Detection

  /// Seconds from each departure to its first notice, and to its notice by
  /// every node running at the end (nil where that did not happen).
  public func detectionTimes() -> (first: [Double?], all: [Double?]) {
    let observers = expectedAlive.filter { simulation.isRunning($0) }
    var first: [Double?] = []
    var all: [Double?] = []
    for departure in departures {
      let times = departure.noticed.values
      first.append(times.min().map { Double($0 - departure.time) / 1e9 })
      let byEveryone = observers.map { departure.noticed[$0] }
      if byEveryone.allSatisfy({ $0 != nil }), let last = byEveryone.compactMap({ $0 }).max() {
        all.append(Double(last - departure.time) / 1e9)
      } else {
        all.append(nil)
      }
    }
    return (first, all)
  }

  /// Seconds from each departure to its first suspicion by anyone (nil
  /// where nobody suspected it: a graceful leave, or a notice that came
  /// as a failure straight away).
  public func firstSuspicionTimes() -> [Double?] {
    departures.map { departure in
      departure.firstSuspected.map { Double($0 - departure.time) / 1e9 }
    }
  }

  /// Seconds from each departure's first notice (failed or left) to its
  /// notice by every node running at the end: how long the news took to
  /// spread once it existed (nil where someone never heard).
  public func disseminationTimes() -> [Double?] {
    let observers = expectedAlive.filter { simulation.isRunning($0) }
    return departures.map { departure in
      let byEveryone = observers.map { departure.noticed[$0] }
      guard byEveryone.allSatisfy({ $0 != nil }), let first = departure.noticed.values.min(),
        let last = byEveryone.compactMap({ $0 }).max()
      else { return nil }
      return Double(last - first) / 1e9
    }
  }

  /// Every observer's detection delay for every departure, in seconds
  /// (the detection-time CDF of the report).
  public func allDetectionDelays() -> [Double] {
    departures.flatMap { departure in
      departure.noticed.values.map { Double($0 - departure.time) / 1e9 }
    }.sorted()
  }
}
