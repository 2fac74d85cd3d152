import Rumor
import Testing

@Suite("Asking a member for its view without joining")
struct PeerQueryTests {
  /// An agent's HTTP API given for its gossip address (the likeliest
  /// slip: 7947 for 7946) gets an error that says so, not a decoder's
  /// complaint about message type 72 ('H') and a hint about encryption.
  @Test func anAgentsHTTPAPIIsNamed() async throws {
    let (node, api) = try startLocalAgentAPI(name: "peer-query", seed: 5)
    defer { api.stop() }
    do {
      _ = try await PeerQuery.members(of: api.address, timeout: .seconds(5))
      Issue.record("the HTTP API answered a push-pull")
    } catch {
      let message = "\(error)"
      #expect(message.contains("answered in HTTP"), "\(message)")
      #expect(message.contains("7946"), "\(message)")
    }
    // A port that takes the request and closes without a word (as
    // Serf's RPC port does) is named as possibly not a gossip port.
    let closer = try TCPResponder(bind: anyPort) { _ in [] }
    defer { closer.stop() }
    do {
      _ = try await PeerQuery.members(of: closer.address, timeout: .seconds(5))
      Issue.record("a closed connection gave members")
    } catch {
      #expect("\(error)".contains("not a gossip port"), "\(error)")
    }
    // The gossip address still answers.
    let members = try await PeerQuery.members(of: node.address, timeout: .seconds(5))
    #expect(members.map(\.name) == ["peer-query"])
    await node.shutdown()
  }
}
