import Dispatch
import RumorCore
import RumorWire

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Asks one member for its view of the cluster without joining it: a
/// push-pull exchange that sends no state (so nothing is merged on the
/// other side) and reads the member's full state back. Works against any
/// memberlist or Serf node.
public enum PeerQuery {
  /// The members `peer` knows, itself included, sorted by name.
  public static func members(
    of peer: NodeAddress, keys: [[UInt8]] = [], label: String = "",
    timeout: Duration = .seconds(5)
  ) async throws -> [Member] {
    let keyring = keys.isEmpty ? nil : try Keyring(keys: keys)
    let codec = StreamCodec(options: WireOptions(label: label, keyring: keyring))
    let request = try codec.encode(.pushPull(PushPull(join: false)), includeLabel: true)
    let reply: Result<[UInt8], TransportError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: exchange(request, with: peer, timeout: timeout))
      }
    }
    let bytes = try reply.get()
    guard !bytes.isEmpty else {
      throw TransportError(
        "\(peer) closed the connection without answering (a different label or encryption key?)")
    }
    let decoded: StreamCodec.DecodedStreamMessage
    do {
      decoded = try codec.decode(bytes[...], allowLabel: false)
    } catch {
      let hint =
        error.kind == .authentication || error.kind == .unsupported
        ? " (is the cluster encrypted with another key, or not at all?)" : ""
      throw TransportError("cannot read \(peer)'s answer: \(error)\(hint)")
    }
    switch decoded.message {
    case .pushPull(let state):
      return state.states.compactMap(member).sorted { $0.name < $1.name }
    case .error(let remote):
      throw TransportError("\(peer) answered with an error: \(remote.error)")
    default:
      throw TransportError("\(peer) answered with a \(decoded.message.type.name) message")
    }
  }

  private static func member(_ state: PushNodeState) -> Member? {
    guard let address = NodeAddress(ip: state.addr, port: state.port) else { return nil }
    let status: MemberState
    switch state.state {
    case .alive: status = .alive
    case .suspect: status = .suspect
    case .dead: status = .dead
    case .left: status = .left
    case nil: return nil
    }
    return Member(
      name: state.name, address: address, meta: state.meta, incarnation: state.incarnation,
      state: status, versions: ProtocolVersions(state.vsn) ?? .rumor)
  }

  /// Connects, writes `request`, reads until the peer closes; all within
  /// `timeout`. Runs on a global queue: it blocks.
  private static func exchange(_ request: [UInt8], with peer: NodeAddress, timeout: Duration)
    -> Result<[UInt8], TransportError>
  {
    let descriptor: Int32
    switch Sockets.connect(to: peer) {
    case .success(let connected): descriptor = connected
    case .failure(let error):
      return .failure(TransportError("cannot connect to \(peer): \(error.message)"))
    }
    defer { close(descriptor) }
    let deadline = monotonicNanoseconds() + timeout.nanosecondsClamped
    var connecting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
    guard wait(&connecting, until: deadline) else {
      return .failure(TransportError("cannot connect to \(peer): timed out"))
    }
    let code = Sockets.connectionError(of: descriptor)
    guard code == 0 else {
      let hint = code == ECONNREFUSED ? " (is a Rumor or Serf agent running there?)" : ""
      return .failure(
        TransportError("cannot connect to \(peer): \(SocketAddress.errorText(code))\(hint)"))
    }
    var written = 0
    while written < request.count {
      var writable = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
      guard wait(&writable, until: deadline) else {
        return .failure(TransportError("\(peer) did not take the request in time"))
      }
      let count = request.withUnsafeBytes { raw in
        write(descriptor, raw.baseAddress.map { $0 + written }, raw.count - written)
      }
      if count < 0 && errno != EAGAIN {
        return .failure(TransportError("cannot write to \(peer): \(SocketAddress.errorText())"))
      }
      written += max(0, count)
    }
    var reply: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      var readable = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard wait(&readable, until: deadline) else {
        return .failure(TransportError("\(peer) did not answer within \(timeout)"))
      }
      let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
      if count == 0 { return .success(reply) }
      if count < 0 {
        if errno == EAGAIN { continue }
        return .failure(TransportError("cannot read from \(peer): \(SocketAddress.errorText())"))
      }
      reply.append(contentsOf: chunk[0..<count])
      guard reply.count <= Connection.maximumIncoming else {
        return .failure(
          TransportError("\(peer) sent more than \(Connection.maximumIncoming) bytes"))
      }
    }
  }

  private static func wait(_ entry: inout pollfd, until deadline: Int64) -> Bool {
    while true {
      let left = deadline - monotonicNanoseconds()
      guard left > 0 else { return false }
      let result = poll(&entry, 1, Int32(clamping: (left + 999_999) / 1_000_000))
      if result > 0 { return true }
      if result == 0 { return false }
      if errno != EINTR { return false }
    }
  }

  private static func monotonicNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
  }
}
