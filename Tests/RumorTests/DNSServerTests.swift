import Testing

@testable import Rumor

#if canImport(Glibc)
  import Glibc
#endif

/// A blocking loopback socket for talking to a `DNSServer` in-process.
private struct TestSocket {
  let descriptor: Int32

  init?(tcp: Bool, to port: UInt16) {
    descriptor = socket(AF_INET, Int32((tcp ? SOCK_STREAM : SOCK_DGRAM).rawValue), 0)
    guard descriptor >= 0 else { return nil }
    var timeout = timeval(tv_sec: 2, tv_usec: 0)
    _ = setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = port.bigEndian
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

  func send(_ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes {
      Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
  }

  /// One read (a datagram, or what TCP has), empty on timeout or close.
  func receive() -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
    return count > 0 ? Array(buffer[0..<count]) : []
  }

  /// Reads TCP until `count` bytes came (or a timeout).
  func receive(atLeast count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    while bytes.count < count {
      let more = receive()
      guard !more.isEmpty else { break }
      bytes += more
    }
    return bytes
  }

  func close() { _ = Glibc.close(descriptor) }
}

/// Splits TCP bytes into length-prefixed messages.
private func frames(_ bytes: [UInt8]) -> [DNSMessage] {
  var messages: [DNSMessage] = []
  var offset = 0
  while bytes.count - offset >= 2 {
    let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
    guard bytes.count - offset - 2 >= length else { break }
    if let message = try? DNSMessage.decode(Array(bytes[(offset + 2)..<(offset + 2 + length)])) {
      messages.append(message)
    }
    offset += 2 + length
  }
  return messages
}

private func framed(_ message: [UInt8]) -> [UInt8] {
  [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
}

@Suite("DNSServer: UDP and TCP, truncation, counted drops", .serialized)
struct DNSServerTests {
  static func server() throws -> DNSServer {
    try DNSServer(
      bind: NodeAddress(ipv4: 127, 0, 0, 1, port: 0),
      answerer: DNSAnswerer(
        domain: DNSName("rumor.") ?? .root,
        directory: DNSDirectory(
          service: { name in
            name == "big"
              ? (0..<60).map {
                DNSDirectory.Target(
                  node: "n\($0)", host: "10.0.0.\($0)", port: 80, isNodeAddress: false)
              } : nil
          },
          node: { _ in nil })))
  }

  @Test("UDP: an answer over 512 bytes is cut with TC; with EDNS0 4096 it comes whole")
  func udpTruncation() throws {
    let server = try Self.server()
    defer { server.stop() }
    let socket = try #require(TestSocket(tcp: false, to: server.address.port))
    defer { socket.close() }
    socket.send(dnsQuery("big.service.rumor.", .a))
    let cut = try DNSMessage.decode(socket.receive())
    #expect(cut.isTruncated && cut.answers.count < 60)
    socket.send(dnsQuery("big.service.rumor.", .a, edns: 4096))
    let whole = try DNSMessage.decode(socket.receive())
    #expect(!whole.isTruncated && whole.answers.count == 60)
    #expect(server.counters.truncated == 1 && server.counters.responses["NOERROR"] == 2)
  }

  @Test("garbage and responses are dropped unanswered and counted by kind")
  func drops() throws {
    let server = try Self.server()
    defer { server.stop() }
    let socket = try #require(TestSocket(tcp: false, to: server.address.port))
    defer { socket.close() }
    socket.send([1, 2, 3])
    var response = try DNSMessage.decode(dnsQuery("big.service.rumor.", .a))
    response.isResponse = true
    socket.send(response.encode())
    socket.send(dnsQuery("nope.service.rumor.", .a))
    // Only the last is answered: the first reply is the NXDOMAIN.
    let answer = try DNSMessage.decode(socket.receive())
    #expect(answer.rcode == DNSResponseCode.nameError.rawValue)
    let counters = server.counters
    #expect(counters.udpQueries == 3)
    #expect(counters.malformed == ["truncated": 1])
    #expect(counters.unsolicitedResponses == 1)
    #expect(counters.responses == ["NXDOMAIN": 1])
  }

  @Test("TCP: pipelined queries in one write, and a query split across writes, are all answered")
  func tcpFraming() throws {
    let server = try Self.server()
    defer { server.stop() }
    let socket = try #require(TestSocket(tcp: true, to: server.address.port))
    defer { socket.close() }
    let first = framed(dnsQuery("big.service.rumor.", .a, id: 1))
    let second = framed(dnsQuery("nope.service.rumor.", .a, id: 2))
    let third = framed(dnsQuery("big.service.rumor.", .srv, id: 3))
    socket.send(first + second + Array(third.prefix(5)))
    usleep(50_000)
    socket.send(Array(third.dropFirst(5)))
    var bytes: [UInt8] = []
    for _ in 0..<50 where frames(bytes).count < 3 {
      let more = socket.receive()
      if more.isEmpty { break }
      bytes += more
    }
    let answers = frames(bytes)
    #expect(answers.map(\.id) == [1, 2, 3])
    #expect(answers.first?.answers.count == 60 && answers.first?.isTruncated == false)
    #expect(server.counters.tcpQueries == 3)
  }

  @Test("TCP: past 64 connections the least recently active is closed, and a new client is served")
  func tcpEviction() throws {
    let server = try Self.server()
    defer { server.stop() }
    var idle: [TestSocket] = []
    defer { for socket in idle { socket.close() } }
    for _ in 0..<(DNSServer.maximumConnections + 10) {
      if let socket = TestSocket(tcp: true, to: server.address.port) { idle.append(socket) }
    }
    let client = try #require(TestSocket(tcp: true, to: server.address.port))
    defer { client.close() }
    client.send(framed(dnsQuery("nope.service.rumor.", .a, id: 9)))
    let answer = frames(client.receive(atLeast: 14))
    #expect(answer.first?.id == 9)
    #expect(server.counters.tcpEvicted >= 10)
  }
}
