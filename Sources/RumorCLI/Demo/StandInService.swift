import Rumor
import Synchronization

/// A small server on loopback standing in for one of the brief's services
/// in `rumor demo`: Redis answers `PING` with `+PONG`, the HTTP services
/// answer every path with 200. Either can be told to start failing, as a
/// hung or crashed service would (HTTP 503, Redis an error reply).
final class StandInService: Sendable {
  private final class Switch: Sendable {
    let healthy = Atomic<Bool>(true)
  }

  /// The service it stands in for.
  let name: String
  /// Its URL with an empty host (the advertising node's address).
  let url: ServiceURL
  private let state = Switch()
  private let stopServer: @Sendable () -> Void

  /// Starts a stand-in for `name`, a known service of the brief.
  init(name: String, scheme: String) throws {
    self.name = name
    let loopback = NodeAddress(ipv4: 127, 0, 0, 1, port: 0)
    let state = self.state
    if scheme == "redis" {
      let server = try TCPResponder(bind: loopback, name: "redis") { bytes in
        guard bytes.contains(10) else { return nil }
        return Array(
          (state.healthy.load(ordering: .acquiring)
            ? "+PONG\r\n" : "-LOADING Redis is loading the dataset in memory\r\n").utf8)
      }
      url = ServiceURL(scheme: scheme, port: server.address.port)
      stopServer = { server.stop() }
    } else {
      let server = try HTTPResponder(bind: loopback) { _ in
        state.healthy.load(ordering: .acquiring)
          ? HTTPResponse(body: "ok\n") : HTTPResponse(status: 503, body: "unavailable\n")
      }
      url = ServiceURL(scheme: scheme, port: server.address.port)
      stopServer = { server.stop() }
    }
  }

  /// Makes every later check pass or fail.
  func set(healthy: Bool) { state.healthy.store(healthy, ordering: .releasing) }

  /// Stops listening: connections are refused from now on.
  func stop() { stopServer() }
}
