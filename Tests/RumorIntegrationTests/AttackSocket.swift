import Foundation
import Rumor
import RumorCore
import RumorWire

#if canImport(Glibc)
  import Glibc
#endif

/// A raw TCP client socket for attack tests: it can connect from another
/// loopback address, write without ever raising SIGPIPE in the test
/// process, and end with a reset instead of a close.
struct AttackSocket {
  let descriptor: Int32

  /// Connects to `target` from `source` (an address of 127.0.0.0/8),
  /// blocking up to the kernel's own connect time; nil when it fails.
  /// With `blocking: false` the connect is started and not waited for.
  /// With a `segmentSize`, the connection asks the peer to send segments
  /// that small: the peer's send buffer is sized from it (ten segments or
  /// so), so a reply of a few hundred kilobytes takes many writes even on
  /// loopback, whose segments are otherwise 64 KiB.
  init?(
    to target: NodeAddress, from source: String = "127.0.0.1", blocking: Bool = true,
    segmentSize: Int32? = nil
  ) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    if var segmentSize {
      _ = setsockopt(
        descriptor, Int32(IPPROTO_TCP), TCP_MAXSEG, &segmentSize,
        socklen_t(MemoryLayout<Int32>.size))
    }
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr(source)
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = target.port.bigEndian
    remote.sin_addr.s_addr = inet_addr(target.host)
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &local) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    if !blocking { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
    let connected = withUnsafePointer(to: &remote) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, length) }
    }
    guard bound == 0, connected == 0 || (!blocking && errno == EINPROGRESS) else {
      _ = Glibc.close(descriptor)
      return nil
    }
    self.descriptor = descriptor
  }

  /// Writes all of `bytes` (blocking socket); false when the peer is gone.
  func sendAll(_ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes.withUnsafeBytes { raw in
        send(
          descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
      }
      if sent < 0 && errno == EINTR { continue }
      guard sent > 0 else { return false }
      offset += sent
    }
    return true
  }

  /// Writes what the socket takes now of `bytes`; -1 when the peer is
  /// gone, else the count written (0 when the buffer is full).
  func sendSome(_ bytes: ArraySlice<UInt8>) -> Int {
    guard !bytes.isEmpty else { return 0 }
    let sent = bytes.withUnsafeBytes { raw in
      send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
    }
    if sent >= 0 { return sent }
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS ? 0 : -1
  }

  /// Whether the peer has closed or reset the connection (a read would
  /// return end of file or an error), without consuming data.
  var peerClosed: Bool {
    var byte: UInt8 = 0
    let count = recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    if count == 0 { return true }
    return count < 0 && errno != EAGAIN && errno != EWOULDBLOCK
  }

  /// Reads until the peer closes or `seconds` pass; the bytes read.
  func readAll(seconds: Double) -> [UInt8] {
    var timeout = timeval(
      tv_sec: Int(seconds), tv_usec: Int(seconds.truncatingRemainder(dividingBy: 1) * 1e6))
    _ = setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { break }
      reply += chunk[0..<count]
    }
    return reply
  }

  /// Closes with a reset (SO_LINGER 0): unread data is thrown away and
  /// the peer's next write fails.
  func reset() {
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    _ = setsockopt(
      descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    _ = Glibc.close(descriptor)
  }

  /// Says "no more requests" (a FIN: the peer's side of the connection
  /// is then in CLOSE_WAIT), waits up to `seconds` for the first bytes of
  /// the reply, and closes without reading them: the kernel resets the
  /// connection, and the peer's next write meets a connection that is
  /// gone (EPIPE, which raises SIGPIPE unless the write said
  /// MSG_NOSIGNAL).
  func abandonAfterFirstBytes(seconds: Double = 2) {
    _ = shutdown(descriptor, Int32(SHUT_WR))
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    _ = poll(&entry, 1, Int32(seconds * 1_000))
    _ = Glibc.close(descriptor)
  }

  /// Closes normally (a FIN; the kernel resets if data arrives later).
  func close() { _ = Glibc.close(descriptor) }
}

/// The resident set of process `pid` in KiB (VmRSS), or nil.
func residentKiB(of pid: Int32) -> Int? {
  guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
    return nil
  }
  for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
    return Int(line.split(separator: " ").dropFirst().first ?? "")
  }
  return nil
}

/// Runs blocking work (sockets, child processes) on a dispatch thread, so
/// that it does not hold one of the few threads of the concurrency pool
/// that the other tests in this process need.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    DispatchQueue.global().async { continuation.resume(returning: body()) }
  }
}

/// `rumor members --peer PEER --json --timeout 2` run as a child: whether
/// it succeeded (the peer answered within the 2 s timeout, counted from
/// the connect), how long the whole command took (a debug build's start
/// on a busy machine included), and what it printed.
func rumorMembers(peer: NodeAddress, within seconds: Double = 2, label: String? = nil) async throws
  -> (ok: Bool, seconds: Double, output: String)
{
  try await offThePool {
    Result { try blockingRumorMembers(peer: peer, within: seconds, label: label) }
  }.get()
}

private func blockingRumorMembers(peer: NodeAddress, within seconds: Double, label: String?) throws
  -> (ok: Bool, seconds: Double, output: String)
{
  let started = Date()
  let child = try ChildProcess(
    buildDirectory.appendingPathComponent("rumor"),
    ["members", "--peer", peer.description, "--json", "--timeout", "\(Int(seconds.rounded(.up)))"]
      + (label.map { ["--label", $0] } ?? []))
  defer { child.stop(signal: SIGKILL) }
  let deadline = started.addingTimeInterval(seconds + 3)
  while child.isRunning && Date() < deadline { usleep(10_000) }
  let elapsed = Date().timeIntervalSince(started)
  guard !child.isRunning else { return (false, elapsed, "still running: \(child.log)") }
  usleep(20_000)
  return (child.process.terminationStatus == 0, elapsed, child.log)
}

/// A push-pull of `count` made-up alive members at 127.0.0.3 (nothing
/// listens there), as a stream message without label, compression or
/// encryption: header, then the states (each with `metaBytes` of random
/// metadata), with `userState` bytes of user state announced but not
/// included.
func fakePushPull(
  members count: Int, join: Bool, announcedStates: Int? = nil, userState: Int = 0,
  prefix: String = "fake", metaBytes: Int = 0
) -> [UInt8] {
  var writer = PushPullWriter(
    join: join, stateCount: announcedStates ?? count, userStateCount: userState)
  var generator = SplitMix64(seed: 5)
  for index in 0..<count {
    // Random bytes, so that compression cannot shrink a reply that holds them.
    let meta = (0..<metaBytes).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    writer.appendState(
      name: "\(prefix)-\(index)",
      address: NodeAddress(ipv4: 127, 0, 0, 3, port: UInt16(20_000 + index % 40_000)),
      meta: meta, incarnation: 1, state: .alive, versions: .rumor)
  }
  return writer.finish(userState: [])
}
