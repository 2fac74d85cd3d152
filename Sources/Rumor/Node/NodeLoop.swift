import RumorCore
import RumorDiscovery
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The node's owner thread: one epoll loop that drives the SWIM state
/// machine with the monotonic clock and performs its effects on real
/// sockets. Everything here runs on that one thread; the rest of the
/// process talks to it through the `NodeMailbox`.
///
/// No busy loop: the thread sleeps in `poll` until a socket is ready, a
/// command arrives, or the next protocol deadline. (`poll` rather than
/// `epoll`: Swift's Glibc module does not export epoll, and a node watches
/// a handful of descriptors.)
final class NodeLoop {
  private var node: ClusterNode
  private let mailbox: NodeMailbox
  private let udp: Int32
  private let listener: Int32
  private var connections: [Int32: Connection] = [:]
  private var inbound = InboundLimits()
  private var joins: [JoinWaiter] = []
  /// Where the replies to this node's queries go, until they finish.
  private var queryReplies: [QueryHandle: @Sendable (QueryReply) -> Void] = [:]
  /// Everyone waiting for the leave under way (overlapping `leave()` calls
  /// all return when it finishes).
  private var leaveWaiters: [@Sendable () -> Void] = []
  /// Callers of `shutdown`, told once every socket is closed, so that
  /// the port is free when `shutdown` returns.
  private var shutdownWaiters: [@Sendable () -> Void] = []
  /// When the counters may next be published alone, and what was.
  private var nextCounterPublish: Int64 = 0
  private var lastPublishedCounters = NodeCounters()
  /// One second, in the loop clock's nanoseconds.
  private static let counterPublishInterval: Int64 = 1_000_000_000
  /// The members whose state changed since the last published snapshot.
  private var changedMembers: Set<String> = []
  /// Whether a snapshot is due (the first one, or after a change).
  private var membersChanged = true
  /// The service catalog, kept up to date member by member and published
  /// with each snapshot, so that lookups never build one.
  private var catalog = CatalogBuilder()
  private var running = true
  /// Why the loop stopped on its own, if it did.
  private var failure: String?
  /// `poll` failures in a row (other than EINTR).
  private var pollFailures = 0
  private var receiveBuffer = [UInt8](repeating: 0, count: 65_536)
  private let tcpTimeout: Int64

  /// How many `poll` failures in a row the loop rides out (10 ms apart)
  /// before it gives up and reports the node stopped with the error.
  static let maximumPollFailures = 100

  private struct JoinWaiter {
    var remaining: Set<NodeAddress>
    var answered = 0
    var failures: [String] = []
    let done: @Sendable (Result<Int, JoinError>) -> Void
  }

  /// The system's `poll`, or a failing one in tests.
  private let pollFunction: @Sendable (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32

  init(
    node: ClusterNode, mailbox: NodeMailbox, udp: Int32, listener: Int32,
    poll: @escaping @Sendable (UnsafeMutablePointer<pollfd>?, nfds_t, Int32) -> Int32
  ) {
    self.pollFunction = poll
    self.node = node
    self.mailbox = mailbox
    self.udp = udp
    self.listener = listener
    self.tcpTimeout = node.swim.settings.tcpTimeout.nanosecondsClamped
  }

  // MARK: The loop

  /// Runs until shutdown, or until the system keeps refusing to poll.
  func run() {
    perform(node.start(now: Timestamp(nanoseconds: now())))
    var watched: [pollfd] = []
    while running {
      let clock = now()
      if let deadline = node.nextDeadline, deadline.nanoseconds <= clock {
        perform(node.tick(now: Timestamp(nanoseconds: clock)))
      }
      expireConnections(now: clock)
      publishIfChanged()
      publishCountersIfDue(now: clock)
      mailbox.lastContact.store(node.swim.lastContact?.nanoseconds ?? .min, ordering: .relaxed)
      guard running else { break }
      watched.removeAll(keepingCapacity: true)
      for descriptor in [udp, listener, mailbox.wakeDescriptor] {
        watched.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0))
      }
      for connection in connections.values {
        let events = connection.phase == .reading ? POLLIN : POLLOUT
        watched.append(pollfd(fd: connection.descriptor, events: Int16(events), revents: 0))
      }
      let ready = watched.withUnsafeMutableBufferPointer { buffer in
        pollFunction(buffer.baseAddress, nfds_t(buffer.count), waitMilliseconds(now: now()))
      }
      guard ready >= 0 else {
        let code = errno
        if code == EINTR { continue }
        // ENOMEM and the like can pass; a node that silently stopped
        // gossiping would be declared dead while its host looks healthy.
        pollFailures += 1
        if pollFailures >= Self.maximumPollFailures {
          failure =
            "the node's event loop stopped: poll failed \(pollFailures) times in a row (\(SocketAddress.errorText(code)))"
          break
        }
        usleep(10_000)
        continue
      }
      pollFailures = 0
      for entry in watched where entry.revents != 0 {
        if entry.fd == udp {
          if entry.revents & Int16(POLLERR) != 0 { takeErrors() }
          receivePackets()
        } else if entry.fd == listener {
          acceptConnections()
        } else if entry.fd == mailbox.wakeDescriptor {
          var drain = [UInt8](repeating: 0, count: 64)
          _ = read(entry.fd, &drain, drain.count)
          for command in mailbox.takeCommands() { handle(command) }
        } else {
          service(entry.fd)
        }
      }
    }
    closeEverything()
  }

  private func now() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
  }

  /// Sleep until the earliest deadline: the core's or a connection's.
  /// Rounded up, so that the loop never wakes just before one.
  private func waitMilliseconds(now clock: Int64) -> Int32 {
    var earliest = node.nextDeadline?.nanoseconds ?? clock + 1_000_000_000
    for connection in connections.values { earliest = min(earliest, connection.deadline) }
    let wait = max(0, earliest - clock)
    return Int32(clamping: (wait + 999_999) / 1_000_000)
  }

  // MARK: Effects

  private func perform(_ effects: [Effect]) {
    for effect in effects {
      switch effect {
      case .send(let bytes, let target):
        _ = Sockets.send(bytes, to: target, on: udp)
      case .openStream(let id, let target, let request, let timeout, let connectTimeout):
        open(id: id, to: target, request: request, timeout: timeout, connectTimeout: connectTimeout)
      case .event(let event):
        memberChanged(event.member.name)
        mailbox.publish(event)
      case .deliver:
        // ClusterNode handles Serf's messages itself.
        break
      case .userEvent(let event):
        mailbox.publish(event)
      case .query(let query):
        mailbox.publish(query)
      case .queryReply(let reply):
        queryReplies[reply.handle]?(reply)
        if case .finished(let handle) = reply { queryReplies[handle] = nil }
      case .joinFinished(let address, let error):
        joinFinished(address, error: error)
      case .nameConflictLost(let vote):
        // Serf shuts down when the cluster sides with the other address.
        failure =
          "the name '\(node.name)' is also claimed by \(vote.claimedBy) and the cluster sided with it (\(vote.summary)); names must be unique"
        running = false
      case .leaveFinished:
        memberChanged(node.name)
        let waiters = leaveWaiters
        leaveWaiters = []
        for done in waiters { done() }
      }
    }
  }

  private func memberChanged(_ name: String) {
    membersChanged = true
    changedMembers.insert(name)
  }

  /// Hands the counters to readers (metrics, the log's traffic summary)
  /// at most once a second, and only when they moved, so that they are
  /// fresh in a cluster whose membership does not change.
  private func publishCountersIfDue(now clock: Int64) {
    guard clock >= nextCounterPublish else { return }
    nextCounterPublish = clock + Self.counterPublishInterval
    let counters = node.swim.counters
    guard counters != lastPublishedCounters else { return }
    lastPublishedCounters = counters
    mailbox.publish(counters: counters)
  }

  private func publishIfChanged() {
    mailbox.coordinates.publish(node.coordinates)
    guard membersChanged else { return }
    membersChanged = false
    let members = node.members
    if catalog.memberCount == 0 {
      catalog.apply(changed: members)
    } else {
      var changed: [Member] = []
      var removed: [String] = []
      for name in changedMembers {
        if let member = node.member(named: name) {
          changed.append(member)
        } else {
          removed.append(name)
        }
      }
      catalog.apply(changed: changed, removed: removed)
    }
    changedMembers.removeAll(keepingCapacity: true)
    mailbox.publish(members: members, counters: node.swim.counters, catalog: catalog.catalog)
  }

  // MARK: Commands

  private func handle(_ command: NodeCommand) {
    let clock = Timestamp(nanoseconds: now())
    switch command {
    case .join(let addresses, let done):
      let targets = Set(addresses.filter { $0 != node.swim.address })
      guard !targets.isEmpty else {
        done(.failure(JoinError(failures: ["no address to join besides this node's own"])))
        return
      }
      joins.append(JoinWaiter(remaining: targets, done: done))
      perform(node.join(Array(targets).sorted(), now: clock))
    case .leave(let timeout, let done):
      guard !node.hasFinishedLeaving else {
        done()
        return
      }
      leaveWaiters.append(done)
      perform(node.leave(now: clock, timeout: timeout))
      memberChanged(node.name)
    case .setMeta(let meta, let done):
      do {
        perform(try node.updateMeta(meta, now: clock))
        memberChanged(node.name)
        done(nil)
      } catch {
        done(error)
      }
    case .userEvent(let name, let payload, let coalesce, let done):
      do {
        perform(
          try node.sendUserEvent(name: name, payload: payload, coalesce: coalesce, now: clock))
        done(nil)
      } catch {
        done(error)
      }
    case .query(let name, let payload, let options, let started, let replies):
      do {
        let (handle, effects) = try node.sendQuery(
          name: name, payload: payload, options: options, now: clock)
        queryReplies[handle] = replies
        started(.success(handle))
        perform(effects)
      } catch {
        started(.failure(error))
      }
    case .respond(let query, let payload, let done):
      do {
        perform(try node.respond(to: query, payload: payload, now: clock))
        done(nil)
      } catch {
        done(error)
      }
    case .forceLeave(let member, let prune, let done):
      perform(node.forceLeave(member, prune: prune, now: clock))
      memberChanged(member)
      done()
    case .shutdown(let done):
      running = false
      shutdownWaiters.append(done)
    }
  }

  private func joinFinished(_ address: NodeAddress, error: String?) {
    for index in joins.indices where joins[index].remaining.contains(address) {
      joins[index].remaining.remove(address)
      if let error {
        joins[index].failures.append("\(address): \(error)")
      } else {
        joins[index].answered += 1
      }
    }
    let finished = joins.filter { $0.remaining.isEmpty }
    joins.removeAll { $0.remaining.isEmpty }
    // The members the join brought are published before the caller hears
    // that it joined, so that `members` (and a lookup) right after
    // `join` returns sees them.
    if !finished.isEmpty { publishIfChanged() }
    for waiter in finished {
      waiter.done(
        waiter.answered > 0
          ? .success(waiter.answered) : .failure(JoinError(failures: waiter.failures)))
    }
  }

  // MARK: UDP

  /// The most time one batch of datagrams may take before timers and
  /// streams get their turn.
  private static let receiveBatchTime: Int64 = 10_000_000

  private func receivePackets() {
    // Bounded in count and in time, so that a flood cannot starve timers
    // and streams: neither of many cheap datagrams nor of a few costly
    // ones (each can cost up to its decompression budget).
    let start = now()
    for _ in 0..<256 {
      guard let (count, sender) = Sockets.receive(on: udp, into: &receiveBuffer) else { return }
      guard let sender, count > 0 else { continue }
      let packet = Array(receiveBuffer[0..<count])
      let received = now()
      perform(node.receivePacket(packet, from: sender, now: Timestamp(nanoseconds: received)))
      if received - start >= Self.receiveBatchTime { return }
    }
  }

  /// Empties the UDP socket's error queue (which keeps poll reporting
  /// POLLERR until it is empty) and tells the core about every datagram
  /// the kernel says no process received.
  private func takeErrors() {
    for _ in 0..<256 {
      guard let (code, target) = Sockets.takeError(on: udp) else { return }
      guard code == ECONNREFUSED, let target else { continue }
      perform(node.portUnreachable(target, now: Timestamp(nanoseconds: now())))
    }
  }

  // MARK: TCP

  private func open(
    id: UInt64, to target: NodeAddress, request: [UInt8], timeout: Duration,
    connectTimeout: Duration?
  ) {
    switch Sockets.connect(to: target) {
    case .success(let descriptor):
      let start = Timestamp(nanoseconds: now())
      let deadline = (start + timeout).nanoseconds
      var connection = Connection(
        descriptor: descriptor, role: .outbound(id: id), phase: .connecting,
        deadline: min(deadline, connectTimeout.map { (start + $0).nanoseconds } ?? .max))
      // Once connected, the exchange has the whole timeout (from the start).
      connection.deadlineOnceConnected = deadline
      connection.outgoing = request
      connections[descriptor] = connection
    case .failure(let error):
      perform(
        node.streamFailed(
          id: id, reason: error.message,
          refused: error.code == ECONNREFUSED,
          now: Timestamp(nanoseconds: now())))
    }
  }

  private func acceptConnections() {
    while let (descriptor, peer) = Sockets.accept(on: listener) {
      guard let peer else {
        close(descriptor)
        continue
      }
      switch inbound.admit(peer) {
      case .busy?:
        close(descriptor)
        count { $0.refusedBusy += 1 }
      case .perSource?:
        close(descriptor)
        count { $0.refusedPerSource += 1 }
      case nil:
        let clock = now()
        var connection = Connection(
          descriptor: descriptor, role: .inbound(peer: peer), phase: .reading,
          deadline: clock + min(tcpTimeout, InboundLimits.firstBytesTimeout))
        connection.started = clock
        connections[descriptor] = connection
      }
    }
  }

  /// Counts a refused or cut inbound stream.
  private func count(_ change: (inout InboundStreamCounters) -> Void) {
    mailbox.inboundCounters.withLock { change(&$0) }
  }

  private func service(_ descriptor: Int32) {
    // A descriptor this loop no longer holds was closed earlier in this
    // turn (its poll entry is stale) and its number may already belong to
    // another thread's file: never close it again.
    guard var connection = connections[descriptor] else { return }
    switch connection.phase {
    case .connecting:
      let code = Sockets.connectionError(of: descriptor)
      guard code == 0 else {
        fail(connection, reason: SocketAddress.errorText(code), refused: code == ECONNREFUSED)
        return
      }
      connection.phase = .writing
      if let deadline = connection.deadlineOnceConnected { connection.deadline = deadline }
      connections[descriptor] = connection
      writeSome(descriptor)
    case .writing:
      writeSome(descriptor)
    case .reading:
      readSome(descriptor)
    }
  }

  private func writeSome(_ descriptor: Int32) {
    guard var connection = connections[descriptor] else { return }
    while connection.written < connection.outgoing.count {
      let count = connection.outgoing.withUnsafeBytes { raw in
        Sockets.sendSome(
          on: descriptor, raw.baseAddress.map { $0 + connection.written },
          count: raw.count - connection.written)
      }
      if count < 0 {
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { break }
        if case .inbound = connection.role { self.count { $0.repliesCut += 1 } }
        fail(connection, reason: "write failed: \(SocketAddress.errorText())", refused: false)
        return
      }
      connection.written += count
    }
    connections[descriptor] = connection
    guard connection.written == connection.outgoing.count else { return }
    if connection.closeAfterWrite {
      finish(descriptor)
      return
    }
    connection.phase = .reading
    connections[descriptor] = connection
  }

  /// Reads what has arrived, at most `InboundLimits.readPerCall` bytes
  /// (poll reports the rest), so that one fast sender cannot hold the
  /// thread. An inbound request is scanned as it arrives and handed to the
  /// core once, when `StreamFrameScanner` finds it whole; on the way it is
  /// held to the limits of `InboundLimits`.
  private func readSome(_ descriptor: Int32) {
    // Taken out of the table while it grows, so that appending does not
    // copy a buffer the table still shares.
    guard var connection = connections.removeValue(forKey: descriptor) else { return }
    var inboundPeer: NodeAddress?
    if case .inbound(let peer) = connection.role { inboundPeer = peer }
    let limit =
      inboundPeer == nil
      ? Connection.maximumIncoming : InboundLimits.streamLimit(members: node.swim.memberCount)
    var ended = false
    var whole = false
    var taken = 0
    while taken < InboundLimits.readPerCall {
      // The UDP receive buffer serves as the read buffer too: both are
      // used only on this thread, and only for the length of one call.
      let count = receiveBuffer.withUnsafeMutableBytes {
        read(descriptor, $0.baseAddress, $0.count)
      }
      if count == 0 {
        ended = true
        break
      }
      if count < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN || errno == EWOULDBLOCK { break }
        connections[descriptor] = connection
        fail(connection, reason: "read failed: \(SocketAddress.errorText())", refused: false)
        return
      }
      taken += count
      let before = connection.incoming.capacity
      connection.incoming.append(contentsOf: receiveBuffer[0..<count])
      guard connection.incoming.count <= limit else {
        if inboundPeer != nil { self.count { $0.oversized += 1 } }
        connections[descriptor] = connection
        fail(connection, reason: "the peer sent more than \(limit) bytes", refused: false)
        return
      }
      guard inboundPeer != nil else { continue }
      let grown = connection.incoming.capacity - before
      guard inbound.charge(grown) else {
        self.count { $0.overBudget += 1 }
        connections[descriptor] = connection
        finish(descriptor)
        return
      }
      connection.charged += grown
      if !connection.heardFrom {
        // The first bytes came: the stream now has the whole TCP timeout.
        connection.heardFrom = true
        connection.deadline = connection.started + tcpTimeout
      }
      let progress: StreamFrameScanner.Progress
      do {
        progress = try connection.scanner.scan(connection.incoming)
      } catch {
        // Not framed as a stream message: the core says what is wrong.
        progress = .complete(connection.incoming.count)
      }
      if case .needMore(let needed) = progress, needed > limit {
        // Announced larger than allowed: refused before it is sent.
        self.count { $0.oversized += 1 }
        connections[descriptor] = connection
        finish(descriptor)
        return
      }
      if case .complete = progress {
        whole = true
        break
      }
    }
    connections[descriptor] = connection
    switch connection.role {
    case .outbound(let id):
      // The acceptor closes after its reply; the reply is what came.
      guard ended else { return }
      finish(descriptor)
      perform(
        node.streamReplied(id: id, bytes: connection.incoming, now: Timestamp(nanoseconds: now())))
    case .inbound(let peer):
      guard whole else {
        if ended { finish(descriptor) }
        return
      }
      let (answer, effects) = node.handleStream(
        connection.incoming, from: peer, now: Timestamp(nanoseconds: now()),
        inflatedLimit: InboundLimits.streamLimit(members: node.swim.memberCount))
      perform(effects)
      switch answer {
      case .needMoreBytes:
        // Whole by its framing but not to the decoder: more bytes would
        // not help.
        count { $0.unframed += 1 }
        finish(descriptor)
      case .close:
        finish(descriptor)
      case .reply(let bytes):
        connection.outgoing = bytes
        connection.written = 0
        connection.phase = .writing
        connection.closeAfterWrite = true
        // The request is no longer needed: its buffer goes back, and the
        // reply, held until the peer reads it, is charged instead.
        inbound.refund(connection.charged)
        connection.incoming = []
        connection.charged = 0
        guard inbound.charge(bytes.capacity) else {
          count { $0.overBudget += 1 }
          connections[descriptor] = connection
          finish(descriptor)
          return
        }
        connection.charged = bytes.capacity
        connections[descriptor] = connection
        writeSome(descriptor)
      }
    }
  }

  private func fail(_ connection: Connection, reason: String, refused: Bool) {
    finish(connection.descriptor)
    if case .outbound(let id) = connection.role {
      perform(
        node.streamFailed(
          id: id, reason: reason, refused: refused, now: Timestamp(nanoseconds: now())))
    }
  }

  private func finish(_ descriptor: Int32) {
    guard let connection = connections.removeValue(forKey: descriptor) else { return }
    if case .inbound(let peer) = connection.role {
      inbound.release(peer, charged: connection.charged)
    }
    close(descriptor)
  }

  private func expireConnections(now clock: Int64) {
    let expired = connections.values.filter { $0.deadline <= clock }
    for connection in expired {
      if case .inbound = connection.role {
        if connection.heardFrom {
          count { $0.timeouts += 1 }
        } else {
          count { $0.firstBytesTimeouts += 1 }
        }
      }
      fail(connection, reason: "timed out", refused: false)
    }
  }

  // MARK: Shutdown

  private func closeEverything() {
    for descriptor in Array(connections.keys) { finish(descriptor) }
    let pending = mailbox.stop(failure: failure)
    for command in pending {
      switch command {
      case .join(_, let done): done(.failure(JoinError(failures: ["the node has shut down"])))
      case .leave(_, let done), .forceLeave(_, _, let done): done()
      case .setMeta(_, let done): done(SettingsError(problems: ["the node has shut down"]))
      case .userEvent(_, _, _, let done):
        done(UserEventError(description: "the node has shut down"))
      case .respond(_, _, let done):
        done(QueryResponseError(description: "the node has shut down"))
      case .query(_, _, _, let started, _):
        started(.failure(QueryResponseError(description: "the node has shut down")))
      case .shutdown(let done): shutdownWaiters.append(done)
      }
    }
    for waiter in joins { waiter.done(.failure(JoinError(failures: ["the node has shut down"]))) }
    joins = []
    for done in leaveWaiters { done() }
    leaveWaiters = []
    for (handle, replies) in queryReplies { replies(.finished(handle)) }
    queryReplies = [:]
    close(udp)
    close(listener)
    close(mailbox.wakeDescriptor)
    close(mailbox.wakeWriteDescriptor)
    for done in shutdownWaiters { done() }
    shutdownWaiters = []
  }
}
