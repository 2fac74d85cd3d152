import Dispatch
import Rumor
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What one run measured.
struct NodeJoinResult {
  /// From connecting to the node until it listed every member.
  var wallNanoseconds: UInt64
  /// From connecting until the node's reply was read.
  var replyNanoseconds: UInt64
  /// CPU of the node's thread over the same span, from its CPU clock.
  var nodeCPUNanoseconds: UInt64
  /// The same from `/proc/.../stat` (tick resolution).
  var nodeCPUStatNanoseconds: UInt64
  /// Bytes of the join stream sent.
  var requestBytes: Int
  /// Bytes of the node's reply.
  var replyBytes: Int
  /// Members the node listed at the end, itself included.
  var members: Int
}

/// One run: a fresh node on 127.0.0.1, joined by this process acting as
/// a peer, measured until it lists every member, then shut down.
struct NodeJoinRun {
  /// The join stream (see `JoinRequest`).
  let request: [UInt8]
  /// Member states in it.
  let members: Int
  /// How long the run may take.
  let timeoutSeconds: Int

  /// Runs once; `index` makes the node's name (and thread name) unique.
  func run(index: Int) throws -> NodeJoinResult {
    let name = "bench-\(index)"
    let node = try RumorNode.start(
      NodeConfiguration(
        name: name, bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0), seed: UInt64(index + 1)))
    defer { Self.wait { await node.shutdown() } }
    let deadline = Clocks.monotonic() + UInt64(timeoutSeconds) * 1_000_000_000
    let thread = try Self.findThread(named: "rumor-\(name)", deadline: deadline)

    let cpuStart = thread.nanoseconds() ?? 0
    let statStart = thread.statNanoseconds() ?? 0
    let start = Clocks.monotonic()
    let socket = try LoopbackSocket.openConnection(
      port: node.boundAddress.port, timeoutSeconds: timeoutSeconds)
    defer { close(socket) }
    try Self.sendAll(request, on: socket)
    let reply = try Self.readReply(on: socket, deadline: deadline)
    let replied = Clocks.monotonic()

    var count = node.members.count
    while count < members + 1 {
      guard Clocks.monotonic() < deadline else {
        throw BenchError(
          "after \(timeoutSeconds) s the node lists \(count) members, not \(members + 1)")
      }
      usleep(200)
      count = node.members.count
    }
    let end = Clocks.monotonic()
    let cpuEnd = thread.nanoseconds() ?? cpuStart
    let statEnd = thread.statNanoseconds() ?? statStart
    return NodeJoinResult(
      wallNanoseconds: end - start, replyNanoseconds: replied - start,
      nodeCPUNanoseconds: cpuEnd - cpuStart, nodeCPUStatNanoseconds: statEnd - statStart,
      requestBytes: request.count, replyBytes: reply, members: count)
  }

  /// The node's thread, once it has named itself (it does so when it
  /// starts, which may be after `start` returns).
  private static func findThread(named name: String, deadline: UInt64) throws -> ThreadCPU {
    while Clocks.monotonic() < deadline {
      if let thread = ThreadCPU(named: name) { return thread }
      usleep(1_000)
    }
    throw BenchError("the node's thread \(name) is not in /proc/self/task")
  }

  /// Writes all of `bytes`, without SIGPIPE if the node hangs up.
  private static func sendAll(_ bytes: [UInt8], on socket: Int32) throws {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes {
        send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else {
        throw BenchError("sending the join: \(LoopbackSocket.lastError())")
      }
      offset += written
    }
  }

  /// Reads the node's reply until the stream codec decodes one whole
  /// message; returns its length.
  private static func readReply(on socket: Int32, deadline: UInt64) throws -> Int {
    let codec = StreamCodec()
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while Clocks.monotonic() < deadline {
      let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else {
        throw BenchError(
          "the node closed the stream after \(bytes.count) bytes: \(LoopbackSocket.lastError())")
      }
      bytes += chunk[0..<count]
      if let decoded = try? codec.decode(bytes[...]) {
        guard case .pushPull = decoded.message else {
          throw BenchError("the node answered the join with \(decoded.message.type)")
        }
        return decoded.consumedCount
      }
    }
    throw BenchError("no reply to the join before the deadline")
  }

  /// Blocks the calling thread until `body` has run.
  private static func wait(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
      await body()
      done.signal()
    }
    done.wait()
  }
}
