import Foundation
import Rumor

/// The example's HTTP endpoints, answered on `HTTPResponder`'s thread.
/// Resolving is a read of the node's latest membership snapshot, so it is
/// cheap and never waits on the network.
struct ExampleRoutes: Sendable {
  /// The service this process runs.
  let service: String
  /// The path that answers 200 while the service is well.
  let healthPath: String
  /// This process's node.
  let node: RumorNode
  /// The resolver over the node's gossip view and the configuration.
  let registry: ServiceRegistry

  /// The answer to `request`:
  ///
  /// - the health path: 200 `{"status": "passing"}`;
  /// - `/`: which service and node this is;
  /// - `/resolve/NAME`: `registry.url(for: NAME)`, or 503 with the reason
  ///   (the error names each step of the resolution order it tried).
  func respond(to request: HTTPRequest) -> HTTPResponse {
    let path = request.path
    if path == healthPath {
      return Self.json(["status": "passing"])
    }
    if path == "/" {
      return Self.json([
        "service": service, "node": node.name, "gossip": node.address.description,
      ])
    }
    if path.hasPrefix("/resolve/") {
      let name = String(path.dropFirst("/resolve/".count))
      do {
        return Self.json(["service": name, "url": try registry.url(for: name)])
      } catch {
        return Self.json(["service": name, "error": error.description], status: 503)
      }
    }
    return Self.json(["error": "no such path: \(path)"], status: 404)
  }

  /// A flat JSON object, keys sorted so that answers are stable.
  private static func json(_ fields: [String: String], status: Int = 200) -> HTTPResponse {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let body = (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    return HTTPResponse(status: status, body: body + "\n", contentType: "application/json")
  }
}
