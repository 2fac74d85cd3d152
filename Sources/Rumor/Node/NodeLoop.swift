import RumorCore
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
  private var node: SWIMNode
  private var serf: SerfLayer
  private var sentJoinIntent = false
  private var random = SystemRandomNumberGenerator()
  private var nextReconnect: Int64 = 0
  private let mailbox: NodeMailbox
  private let udp: Int32
  private let listener: Int32
  private var connections: [Int32: Connection] = [:]
  private var inbound = InboundLimits()
  private var joins: [JoinWaiter] = []
  private var leave: Leave?
  private var membersChanged = true
  /// Serf's state changed since `node.localUserState` was encoded.
  private var serfStateStale = false
  private var running = true
  private var receiveBuffer = [UInt8](repeating: 0, count: 65_536)
  private let tcpTimeout: Int64

  /// A graceful leave in two steps, as Serf does it: first Serf's leave
  /// intent (so Serf peers will say "left", not "failed"), then
  /// memberlist's leave.
  private struct Leave {
    var intentDeadline: Int64
    var deadline: Int64
    var memberlistLeaveSent = false
    let done: @Sendable () -> Void
  }

  /// Serf tries to rejoin a failed member this often.
  static let reconnectInterval: Int64 = 30_000_000_000

  private struct JoinWaiter {
    var remaining: Set<NodeAddress>
    var answered = 0
    var failures: [String] = []
    let done: @Sendable (Result<Int, JoinError>) -> Void
  }

  init(node: SWIMNode, serf: SerfLayer, mailbox: NodeMailbox, udp: Int32, listener: Int32) {
    self.node = node
    self.serf = serf
    self.node.localUserState = serf.localState()
    self.mailbox = mailbox
    self.udp = udp
    self.listener = listener
    self.tcpTimeout = node.settings.tcpTimeout.nanosecondsClamped
  }

  // MARK: The loop

  /// Runs until shutdown.
  func run() {
    perform(node.start(now: Timestamp(nanoseconds: now())))
    var watched: [pollfd] = []
    while running {
      let clock = now()
      if let deadline = node.nextDeadline, deadline.nanoseconds <= clock {
        refreshSerfState()
        perform(node.tick(now: Timestamp(nanoseconds: clock)))
      }
      if let deadline = serf.nextDeadline, deadline.nanoseconds <= clock {
        _ = serf.tick(now: Timestamp(nanoseconds: clock))
        serfStateStale = true
      }
      reconnectIfDue(now: clock)
      expireConnections(now: clock)
      checkLeave(now: clock)
      publishIfChanged()
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
        poll(buffer.baseAddress, nfds_t(buffer.count), waitMilliseconds(now: now()))
      }
      guard ready >= 0 else {
        if errno == EINTR { continue }
        break
      }
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

  /// Sleep until the earliest deadline: the core's, a connection's, the
  /// leave's. Rounded up, so that the loop never wakes just before one.
  private func waitMilliseconds(now clock: Int64) -> Int32 {
    var earliest = node.nextDeadline?.nanoseconds ?? clock + 1_000_000_000
    if let serfDeadline = serf.nextDeadline?.nanoseconds { earliest = min(earliest, serfDeadline) }
    earliest = min(earliest, nextReconnect)
    for connection in connections.values { earliest = min(earliest, connection.deadline) }
    if let leave { earliest = min(earliest, clock + 10_000_000, leave.deadline) }
    let wait = max(0, earliest - clock)
    return Int32(clamping: (wait + 999_999) / 1_000_000)
  }

  // MARK: Effects

  private func perform(_ effects: [Effect]) {
    for effect in effects {
      switch effect {
      case .send(let bytes, let target):
        _ = Sockets.send(bytes, to: target, on: udp)
      case .openStream(let id, let target, let request, let timeout):
        open(id: id, to: target, request: request, timeout: timeout)
      case .event(let event):
        membersChanged = true
        tellSerf(event)
        mailbox.publish(event)
      case .deliver(.message(let payload)):
        apply(serf.receive(payload, now: Timestamp(nanoseconds: now())))
      case .deliver(.remoteState(let state, let join)):
        apply(serf.mergeRemoteState(state, join: join, now: Timestamp(nanoseconds: now())))
      case .joinFinished(let address, let error):
        joinFinished(address, error: error)
      }
    }
  }

  /// Serf keeps its own member statuses from memberlist's events.
  private func tellSerf(_ event: MembershipEvent) {
    let clock = Timestamp(nanoseconds: now())
    let name = event.member.name
    switch event {
    case .joined: _ = serf.memberJoined(name, now: clock)
    case .failed: _ = serf.memberFailed(name, now: clock)
    case .left: _ = serf.memberLeft(name, now: clock)
    case .updated, .suspected, .recovered, .stoodDown, .resumed: return
    }
    serfStateStale = true
  }

  /// Gossips what the Serf layer wants re-broadcast and refreshes the
  /// state it gives push-pull exchanges.
  private func apply(_ outcome: SerfOutcome) {
    for payload in outcome.broadcasts { node.broadcastUserMessage(payload) }
    serfStateStale = true
  }

  /// Re-encodes Serf's state for push-pulls if it changed, just before a
  /// call that may build one (a tick, a join, an inbound stream). Encoding
  /// it on every change instead made each joined member and each delivered
  /// user message cost O(members): 20,000 messages of one datagram, or a
  /// push-pull of N new members, then cost O(N^2).
  private func refreshSerfState() {
    guard serfStateStale else { return }
    serfStateStale = false
    node.localUserState = serf.localState()
  }

  /// Serf's reconnect: every 30 s, with probability failed / alive, try to
  /// join one failed member again, so that a healed partition merges.
  private func reconnectIfDue(now clock: Int64) {
    guard clock >= nextReconnect else { return }
    nextReconnect = clock + Self.reconnectInterval
    guard leave == nil else { return }
    let failed = node.members.filter { $0.state == .dead }
    let alive = max(1, node.activeMemberCount)
    guard !failed.isEmpty,
      Double.random(in: 0..<1, using: &random) < Double(failed.count) / Double(alive),
      let target = failed.randomElement(using: &random)
    else { return }
    refreshSerfState()
    perform(node.join([target.address], now: Timestamp(nanoseconds: clock)))
  }

  private func publishIfChanged() {
    guard membersChanged else { return }
    membersChanged = false
    mailbox.publish(members: node.members, counters: node.counters)
  }

  // MARK: Commands

  private func handle(_ command: NodeCommand) {
    let clock = Timestamp(nanoseconds: now())
    switch command {
    case .join(let addresses, let done):
      let targets = Set(addresses.filter { $0 != node.address })
      guard !targets.isEmpty else {
        done(.failure(JoinError(failures: ["no address to join besides this node's own"])))
        return
      }
      joins.append(JoinWaiter(remaining: targets, done: done))
      refreshSerfState()
      perform(node.join(Array(targets).sorted(), now: clock))
    case .leave(let timeout, let done):
      let deadline = clock.nanoseconds.addingReportingOverflow(timeout.nanosecondsClamped)
        .partialValue
      leave = Leave(
        intentDeadline: clock.nanoseconds + min(timeout.nanosecondsClamped / 2, 2_000_000_000),
        deadline: deadline, done: done)
      if let intent = serf.leaveIntent(), node.activeMemberCount > 1 {
        // Straight to every member as well as by gossip: the intent must
        // be there before memberlist's leave, or Serf says "failed".
        node.broadcastUserMessage(intent)
        perform(node.sendUserMessageToAliveMembers(intent, now: clock))
        serfStateStale = true
      } else {
        leave?.intentDeadline = clock.nanoseconds
      }
    case .setMeta(let meta, let done):
      do {
        perform(try node.updateMeta(meta, now: clock))
        membersChanged = true
        done(nil)
      } catch {
        done(error)
      }
    case .broadcast(let payload):
      node.broadcastUserMessage(payload)
    case .shutdown(let done):
      running = false
      done()
    }
  }

  private func joinFinished(_ address: NodeAddress, error: String?) {
    if error == nil, !sentJoinIntent, let intent = serf.joinIntent() {
      // Serf announces itself once a join has reached someone.
      sentJoinIntent = true
      node.broadcastUserMessage(intent)
    }
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
    for waiter in finished {
      waiter.done(
        waiter.answered > 0
          ? .success(waiter.answered) : .failure(JoinError(failures: waiter.failures)))
    }
  }

  private func checkLeave(now clock: Int64) {
    guard var pending = leave else { return }
    if !pending.memberlistLeaveSent {
      // Wait for the intent to be gossiped out (or half the time allowed).
      guard node.pendingUserMessages == 0 || clock >= pending.intentDeadline else { return }
      pending.memberlistLeaveSent = true
      leave = pending
      perform(node.leave(now: Timestamp(nanoseconds: clock)))
      membersChanged = true
    }
    guard node.isLeaveBroadcast || clock >= pending.deadline else { return }
    leave = nil
    pending.done()
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

  private func open(id: UInt64, to target: NodeAddress, request: [UInt8], timeout: Duration) {
    switch Sockets.connect(to: target) {
    case .success(let descriptor):
      var connection = Connection(
        descriptor: descriptor, role: .outbound(id: id), phase: .connecting,
        deadline: now() + timeout.nanosecondsClamped)
      connection.outgoing = request
      connections[descriptor] = connection
    case .failure(let error):
      perform(
        node.streamFailed(
          id: id, reason: error.message,
          refused: error.message == SocketAddress.errorText(ECONNREFUSED),
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
    guard var connection = connections[descriptor] else {
      close(descriptor)
      return
    }
    switch connection.phase {
    case .connecting:
      let code = Sockets.connectionError(of: descriptor)
      guard code == 0 else {
        fail(connection, reason: SocketAddress.errorText(code), refused: code == ECONNREFUSED)
        return
      }
      connection.phase = .writing
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
      ? Connection.maximumIncoming : InboundLimits.streamLimit(members: node.memberCount)
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
      refreshSerfState()
      let (answer, effects) = node.handleStream(
        connection.incoming, from: peer, now: Timestamp(nanoseconds: now()),
        inflatedLimit: InboundLimits.streamLimit(members: node.memberCount))
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
    let pending = mailbox.stop()
    for command in pending {
      switch command {
      case .join(_, let done): done(.failure(JoinError(failures: ["the node has shut down"])))
      case .leave(_, let done): done()
      case .setMeta(_, let done): done(SettingsError(problems: ["the node has shut down"]))
      case .broadcast: break
      case .shutdown(let done): done()
      }
    }
    for waiter in joins { waiter.done(.failure(JoinError(failures: ["the node has shut down"]))) }
    joins = []
    leave?.done()
    leave = nil
    close(udp)
    close(listener)
    close(mailbox.wakeDescriptor)
    close(mailbox.wakeWriteDescriptor)
  }
}
