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
        let exchange = BlockingExchange(peer: peer, timeout: timeout)
        continuation.resume(returning: exchange.run(request))
      }
    }
    let bytes = try reply.get()
    guard !bytes.isEmpty else {
      throw TransportError(
        "\(peer) closed the connection without answering: a different label or encryption key, or not a gossip port (the gossip port is 7946 by default; Serf's RPC, 7373, closes so too)"
      )
    }
    let decoded: StreamCodec.DecodedStreamMessage
    do {
      decoded = try codec.decode(bytes[...], allowLabel: false)
    } catch {
      if bytes.starts(with: Array("HTTP/".utf8)) {
        // The address given is an HTTP server's, most often an agent's
        // API (7947 by default) instead of its gossip port (7946).
        throw TransportError(
          "\(peer) answered in HTTP, not memberlist: give the node's gossip address (port 7946 by default), not its HTTP API's (7947), or ask the agent with --agent IP:PORT"
        )
      }
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
}
