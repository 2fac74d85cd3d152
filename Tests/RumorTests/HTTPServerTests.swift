import Dispatch
import Foundation
import Testing

@testable import Rumor

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking loopback client for the server's tests.
private struct Client {
  let descriptor: Int32

  init?(_ address: NodeAddress) {
    descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = address.port.bigEndian
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &remote) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      Glibc.close(descriptor)
      return nil
    }
  }

  func send(_ text: String) {
    _ = Array(text.utf8).withUnsafeBytes {
      Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
  }

  /// Reads for up to `seconds`, until `done` says the bytes are enough or
  /// the server closes.
  func read(seconds: Double, until done: (String) -> Bool = { _ in false }) -> String {
    var received: [UInt8] = []
    let deadline = Date().addingTimeInterval(seconds)
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while Date() < deadline && !done(String(decoding: received, as: UTF8.self)) {
      var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&entry, 1, 50) >= 0 else { break }
      guard entry.revents != 0 else { continue }
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      guard count > 0 else { break }
      received += chunk[0..<count]
    }
    return String(decoding: received, as: UTF8.self)
  }

  /// Whether the server closed the connection (within `seconds`).
  func closedByServer(within seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    var byte: UInt8 = 0
    while Date() < deadline {
      var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      _ = poll(&entry, 1, 50)
      if entry.revents != 0 {
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT))
        if count == 0 || (count < 0 && errno != EAGAIN) { return true }
      }
    }
    return false
  }

  func close() { _ = Glibc.close(descriptor) }
}

private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    DispatchQueue.global().async { continuation.resume(returning: body()) }
  }
}

@Suite("The HTTP server's bounds")
struct HTTPServerTests {
  private func server(_ limits: HTTPServerLimits) throws -> HTTPServer {
    var router = HTTPRouter()
    router.add("GET", "/ok") { _ in .response(.json("ok")) }
    router.add("GET", "/stream") { _ in
      .stream(HTTPResponse(status: 200, body: "", contentType: "text/event-stream"))
    }
    router.add("GET", "/topic") { _ in
      .stream(HTTPResponse(status: 200, body: "", contentType: "text/event-stream"), topic: "t")
    }
    router.add("GET", "/never") { _ in .later { _ in } }
    router.add("GET", "/watch") { _ in
      .watch(HTTPWatch(wait: .seconds(30), check: { .json("changed") }, expired: { .json("same") }))
    }
    return try HTTPServer(
      bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0), router: router, limits: limits)
  }

  @Test("keep-alive: several requests on one connection; HEAD has no body")
  func keepAlive() async throws {
    let server = try server(HTTPServerLimits())
    defer { server.stop() }
    let address = server.address
    let text = await offPool { () -> String in
      guard let client = Client(address) else { return "" }
      defer { client.close() }
      client.send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
      var all = client.read(seconds: 3) { $0.hasSuffix("\"ok\"\n") }
      client.send("HEAD /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      all += client.read(seconds: 3)
      return all
    }
    #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(text)")
    #expect(text.hasSuffix("Connection: close\r\n\r\n"), "\(text)")
    #expect(server.counters.requests == 2)
  }

  @Test("a client that sends nothing is closed at the first-byte deadline, and counted")
  func idle() async throws {
    var limits = HTTPServerLimits()
    limits.firstByteTimeout = .milliseconds(300)
    let server = try server(limits)
    defer { server.stop() }
    let address = server.address
    let closed = await offPool { () -> Bool in
      guard let client = Client(address) else { return false }
      defer { client.close() }
      return client.closedByServer(within: 3)
    }
    #expect(closed)
    #expect(server.counters.idleClosed == 1)
  }

  @Test("when every slot is taken, the longest-idle connection makes room")
  func eviction() async throws {
    var limits = HTTPServerLimits()
    limits.maximumConnections = 4
    let server = try server(limits)
    defer { server.stop() }
    let address = server.address
    let answered = await offPool { () -> String in
      let idle = (0..<4).compactMap { _ in Client(address) }
      defer { for client in idle { client.close() } }
      usleep(100_000)
      guard let client = Client(address) else { return "" }
      defer { client.close() }
      client.send("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
      return client.read(seconds: 3)
    }
    #expect(answered.hasPrefix("HTTP/1.1 200 OK"), "\(answered)")
    #expect(server.counters.evicted >= 1)
  }

  @Test(
    "parked requests are bounded: over the limit is 503; a deferred answer that never comes is 504")
  func parked() async throws {
    var limits = HTTPServerLimits()
    limits.maximumParked = 1
    limits.laterTimeout = .milliseconds(500)
    let server = try server(limits)
    defer { server.stop() }
    let address = server.address
    let (first, second) = await offPool { () -> (String, String) in
      guard let one = Client(address), let two = Client(address) else { return ("", "") }
      defer {
        one.close()
        two.close()
      }
      one.send("GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
      usleep(100_000)
      two.send("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n")
      let refused = two.read(seconds: 2) { $0.contains("}") }
      return (one.read(seconds: 3) { $0.contains("}") }, refused)
    }
    #expect(second.hasPrefix("HTTP/1.1 503 "), "\(second)")
    #expect(first.hasPrefix("HTTP/1.1 504 "), "\(first)")
    #expect(server.counters.refusedParked == 1)
    #expect(server.counters.laterTimeouts == 1)
  }

  @Test("a watch answers on changed(); a stream client that never reads is dropped, not buffered")
  func watchAndSlowStream() async throws {
    var limits = HTTPServerLimits()
    limits.maximumStreamBacklog = 65_536
    let server = try server(limits)
    defer { server.stop() }
    let address = server.address
    let watched = await offPool { () -> String in
      guard let client = Client(address) else { return "" }
      defer { client.close() }
      client.send("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n")
      usleep(200_000)
      server.changed()
      return client.read(seconds: 3) { $0.contains("\"changed\"") }
    }
    #expect(watched.contains("\"changed\""), "\(watched)")
    let dropped = await offPool { () -> Bool in
      guard let client = Client(address) else { return false }
      defer { client.close() }
      var size: Int32 = 4_096
      _ = setsockopt(
        client.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
      client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
      usleep(200_000)
      let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 16_384)
      for _ in 0..<400 {
        server.broadcast(chunk)
        if server.counters.slowStreamsDropped > 0 { return true }
        usleep(2_000)
      }
      return server.counters.slowStreamsDropped > 0
    }
    #expect(dropped)
  }

  @Test("a stream gets the broadcasts of its topic only; heartbeats go to every stream")
  func topics() async throws {
    var limits = HTTPServerLimits()
    limits.heartbeat = .milliseconds(300)
    let server = try server(limits)
    defer { server.stop() }
    let address = server.address
    let (plain, topical) = await offPool { () -> (String, String) in
      guard let one = Client(address), let other = Client(address) else { return ("", "") }
      defer {
        one.close()
        other.close()
      }
      one.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
      other.send("GET /topic HTTP/1.1\r\nHost: x\r\n\r\n")
      usleep(200_000)
      server.broadcast(Array("data: plain\n\n".utf8))
      server.broadcast(Array("data: topical\n\n".utf8), topics: ["t"])
      server.broadcast(Array("data: both\n\n".utf8), topics: ["", "t"])
      let first = one.read(seconds: 3) { $0.contains("both") && $0.contains("heartbeat") }
      let second = other.read(seconds: 3) { $0.contains("both") && $0.contains("heartbeat") }
      return (first, second)
    }
    #expect(plain.contains("plain") && !plain.contains("topical") && plain.contains("heartbeat"))
    #expect(topical.contains("topical") && !topical.contains("plain"), "\(topical)")
    #expect(topical.contains("heartbeat"), "\(topical)")
  }
}
