import RumorCore

/// Follows what the healthy members think of a set of faulty ones, to tell
/// a detector that removes gray-failing members once (Rapid) from one that
/// lets them back in and throws them out again (Rapid's complaint about
/// memberlist).
///
/// The faulty members come in groups (lossy, flip-flopping) so that each
/// kind's oscillation is reported on its own. "In view" means alive or
/// suspect, memberlist's notion of membership.
public struct FaultyViewTracker: Sendable {
  /// The figures of one group of faulty members.
  public struct Group: Sendable {
    /// What the group is called in reports ("lossy", "flipflop").
    public var name: String
    /// The members of the group, sorted.
    public var members: [Int]
    /// Times one of them was re-admitted (went from failed or left, or
    /// from forgotten, back into a view) after it was first declared
    /// failed by anyone else. Counted at every observer.
    public var readmissions = 0
    /// The same, counted at healthy observers only.
    public var readmissionsAtHealthy = 0
    /// The most times one member of the group was re-admitted at one
    /// healthy observer: 1 means nobody came back twice anywhere.
    public var mostReadmissionsInOneView = 0
    /// How many of them some healthy member ever declared failed.
    public var declaredDeadByHealthy = 0
    /// When a healthy member first declared one of them failed.
    public var firstDeclaredDeadByHealthy: Int64?
    /// When no healthy member had any of them in view any more, the first
    /// time (nanoseconds); nil if that never happened.
    public var removedAt: Int64?
    /// (healthy observer, member of the group) pairs in view now.
    public var inViewPairs = 0
    /// When every healthy observer had declared each of them failed at
    /// least once, not necessarily at the same time (nanoseconds); nil if
    /// that never happened. The namespace lab's "full detection" is this:
    /// it takes each agent's first poll that shows the member failed.
    public var failedEverywhereAt: Int64?
    /// (healthy observer, member of the group) pairs where the member was
    /// declared failed at least once.
    var failedPairs = 0
    /// Nanoseconds, summed over (healthy observer, member of the group)
    /// pairs, of the intervals already closed in which the observer listed
    /// the member alive (not suspect, not failed or left): what a client
    /// resolving through that observer could be sent to
    /// (`listedAliveShare(of:until:)`).
    var listedAliveNanoseconds: Int64 = 0
  }

  /// When tracking began (the faults start then).
  public let start: Int64
  /// The groups, in the order given.
  public private(set) var groups: [Group]
  /// When no healthy member had any faulty member in view, the first time.
  public private(set) var allRemovedAt: Int64?
  /// View changes (joined, failed, left) at healthy observers since `start`.
  public private(set) var viewChanges = 0
  /// View changes at healthy observers after `allRemovedAt`.
  public private(set) var viewChangesAfterRemoval = 0
  /// The healthy observers, for per-node averages.
  public let healthyObservers: Int

  private let nodeCount: Int
  /// Group and position of each faulty member, by node index (nil: healthy).
  private var slot: [(group: Int, position: Int)?]
  private var firstDeclaredDead: [Int64?]
  private var everDeadByHealthy: [Bool]
  /// Whether healthy observer `o` has faulty member at `position` in view,
  /// at `position * nodeCount + o`.
  private var inView: [Bool]
  /// Re-admissions at healthy observers, by (member, observer) pair.
  private var readmissionsInView: [Int]
  /// Whether healthy observer `o` ever declared the faulty member at
  /// `position` failed, at `position * nodeCount + o`.
  private var everFailed: [Bool]
  private var totalInView = 0
  /// Since when healthy observer `o` has listed the faulty member at
  /// `position` alive, at `position * nodeCount + o`; nil while it does
  /// not.
  private var aliveSince: [Int64?]

  /// Starts tracking `groups` (names and node indices) at `time`, reading
  /// each healthy running node's current view from `simulation`.
  init(
    groups memberGroups: [(name: String, members: [Int])], simulation: Simulation, at time: Int64
  ) {
    start = time
    nodeCount = simulation.configuration.nodes
    groups = memberGroups.map { Group(name: $0.name, members: $0.members.sorted()) }
    slot = Array(repeating: nil, count: nodeCount)
    var position = 0
    for (group, members) in groups.enumerated() {
      for member in members.members {
        slot[member] = (group, position)
        position += 1
      }
    }
    firstDeclaredDead = Array(repeating: nil, count: position)
    everDeadByHealthy = Array(repeating: false, count: position)
    inView = Array(repeating: false, count: position * nodeCount)
    readmissionsInView = Array(repeating: 0, count: position * nodeCount)
    everFailed = Array(repeating: false, count: position * nodeCount)
    aliveSince = Array(repeating: nil, count: position * nodeCount)
    var healthy = 0
    for observer in 0..<nodeCount where slot[observer] == nil && simulation.isRunning(observer) {
      healthy += 1
      guard let node = simulation.node(observer) else { continue }
      for (group, members) in groups.enumerated() {
        for member in members.members {
          guard let place = slot[member],
            let state = node.member(named: Simulation.name(member))?.state, state.isActive
          else { continue }
          if state == .alive { aliveSince[place.position * nodeCount + observer] = time }
          inView[place.position * nodeCount + observer] = true
          groups[group].inViewPairs += 1
          totalInView += 1
        }
      }
    }
    healthyObservers = healthy
  }

  /// Whether `index` is one of the tracked faulty members.
  public func isFaulty(_ index: Int) -> Bool { index < slot.count && slot[index] != nil }

  /// The share of the time from `start` to `end`, over every (healthy
  /// observer, member of `group`) pair, in which the observer listed the
  /// member alive; nil for an empty span or group. The namespace lab's
  /// `gray_listed_alive_share` is this, polled.
  public func listedAliveShare(of group: Group, until end: Int64) -> Double? {
    let span = end - start
    let pairs = group.members.count * healthyObservers
    guard span > 0, pairs > 0 else { return nil }
    var total = group.listedAliveNanoseconds
    for member in group.members {
      guard let place = slot[member] else { continue }
      for observer in 0..<nodeCount {
        if let since = aliveSince[place.position * nodeCount + observer], since < end {
          total += end - since
        }
      }
    }
    return Double(total) / (Double(span) * Double(pairs))
  }

  /// Notes that healthy observer `pair`'s listing of its member turned
  /// alive (`alive`) or not at `time`.
  private mutating func listAlive(_ alive: Bool, pair: Int, group: Int, at time: Int64) {
    if alive {
      if aliveSince[pair] == nil { aliveSince[pair] = time }
    } else if let since = aliveSince[pair] {
      groups[group].listedAliveNanoseconds += time - since
      aliveSince[pair] = nil
    }
  }

  /// Takes in one membership event seen by `observer`.
  mutating func record(_ event: MembershipEvent, subject: Int, at observer: Int, time: Int64) {
    guard time >= start, observer != subject, observer < nodeCount, subject < nodeCount else {
      return
    }
    let healthyObserver = slot[observer] == nil
    let changesView: Bool
    switch event {
    case .joined, .failed, .left: changesView = true
    case .suspected, .recovered, .updated, .stoodDown, .resumed, .reaped: changesView = false
    }
    if healthyObserver && changesView {
      viewChanges += 1
      if allRemovedAt != nil { viewChangesAfterRemoval += 1 }
    }
    guard let place = slot[subject] else { return }
    let pair = place.position * nodeCount + observer
    if healthyObserver {
      switch event {
      // An update is an alive message, from any state.
      case .joined, .recovered, .updated:
        listAlive(true, pair: pair, group: place.group, at: time)
      case .suspected, .failed, .left:
        listAlive(false, pair: pair, group: place.group, at: time)
      case .stoodDown, .resumed, .reaped: break
      }
    }
    switch event {
    case .failed, .left:
      if case .failed = event, firstDeclaredDead[place.position] == nil {
        firstDeclaredDead[place.position] = time
      }
      guard healthyObserver else { return }
      if case .failed = event, !everFailed[pair] {
        everFailed[pair] = true
        groups[place.group].failedPairs += 1
        if groups[place.group].failedPairs
          == groups[place.group].members.count * healthyObservers
        {
          groups[place.group].failedEverywhereAt = time
        }
      }
      if case .failed = event, !everDeadByHealthy[place.position] {
        everDeadByHealthy[place.position] = true
        groups[place.group].declaredDeadByHealthy += 1
        if groups[place.group].firstDeclaredDeadByHealthy == nil {
          groups[place.group].firstDeclaredDeadByHealthy = time
        }
      }
      guard inView[pair] else { return }
      inView[pair] = false
      groups[place.group].inViewPairs -= 1
      totalInView -= 1
      if groups[place.group].inViewPairs == 0 && groups[place.group].removedAt == nil {
        groups[place.group].removedAt = time
      }
      if totalInView == 0 && allRemovedAt == nil { allRemovedAt = time }
    case .joined:
      if firstDeclaredDead[place.position] != nil {
        groups[place.group].readmissions += 1
        if healthyObserver {
          groups[place.group].readmissionsAtHealthy += 1
          readmissionsInView[pair] += 1
          groups[place.group].mostReadmissionsInOneView = max(
            groups[place.group].mostReadmissionsInOneView, readmissionsInView[pair])
        }
      }
      guard healthyObserver, !inView[pair] else { return }
      inView[pair] = true
      groups[place.group].inViewPairs += 1
      totalInView += 1
    case .suspected, .recovered, .updated, .stoodDown, .resumed, .reaped:
      break
    }
  }
}
