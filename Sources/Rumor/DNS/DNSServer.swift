import RumorWire
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A DNS server over UDP and TCP on one address, answering with a
/// `DNSAnswerer`, on its own thread (never the node's protocol thread: a
/// flood of queries costs this thread, not gossip).
///
/// UDP responses are cut to 512 bytes, or to the size the client offers
/// with EDNS0 (at most `maximumUDPSize`), with TC set when answers had to
/// go. TCP (RFC 7766) takes queries with a 2-byte length prefix,
/// pipelined, on at most `maximumConnections` connections; a connection
/// that sends no whole query within `idleTimeout`, or lives longer than
/// `connectionLifetime`, is closed, and when every slot is taken the
/// least recently active connection makes room. Messages that do not
/// decode are dropped and counted by kind (`counters`).
public final class DNSServer: Sendable {
  /// Where it listens (UDP and TCP).
  public let address: NodeAddress
  private let waker: WakeSender
  private let counts = Counts()

  private final class Counts: Sendable {
    let value = Mutex(DNSServerCounters())
  }

  /// Most TCP connections open at once.
  public static let maximumConnections = 64
  /// How long a TCP connection may wait between whole queries.
  public static let idleTimeout: Int64 = 5_000_000_000
  /// How long a TCP connection may last in all.
  public static let connectionLifetime: Int64 = 60_000_000_000
  /// The largest UDP response sent, whatever size a client offers.
  public static let maximumUDPSize = 4096
  /// The most replies a TCP connection may have waiting to be written
  /// before the server stops reading its queries.
  static let maximumPendingReply = 256 << 10
  /// Datagrams taken per wake-up, so that TCP clients get their turn
  /// during a flood.
  static let datagramsPerRound = 256

  /// What it answered and dropped so far.
  public var counters: DNSServerCounters { counts.value.withLock { $0 } }

  /// Starts serving `answerer` on `bind` (port 0 picks a free port, the
  /// same for UDP and TCP).
  public init(bind: NodeAddress, answerer: DNSAnswerer) throws {
    let serving = try ServingThread(listeningOn: bind)
    let udp: Int32
    do {
      udp = try Sockets.udp(boundTo: serving.address)
    } catch {
      serving.abandon()
      throw error
    }
    address = serving.address
    waker = serving.waker
    let counts = self.counts
    let loop = Loop(
      udp: udp, listener: serving.listener, wake: serving.wake, answerer: answerer)
    try serving.start(name: "dns", alsoClosing: [udp]) {
      loop.serve { change in counts.value.withLock { change(&$0) } }
    }
  }

  /// Stops serving and closes the sockets.
  public func stop() {
    // End-of-file on its end wakes the serving thread, which then closes
    // its sockets and that end.
    waker.close()
  }

  deinit {
    stop()
  }

  /// The serving loop, owned by its thread.
  fileprivate struct Loop: Sendable {
    let udp: Int32
    let listener: Int32
    let wake: Int32
    let answerer: DNSAnswerer
  }
}

extension DNSServer.Loop {
  fileprivate typealias Count = (_ change: (inout DNSServerCounters) -> Void) -> Void

  fileprivate struct Connection {
    var input: [UInt8] = []
    var output: [UInt8] = []
    let accepted: Int64
    var active: Int64
  }

  func serve(count: Count) {
    var connections: [Int32: Connection] = [:]
    var datagram = [UInt8](repeating: 0, count: 65_536)
    var chunk = [UInt8](repeating: 0, count: 16_384)
    var running = true
    func drop(_ descriptor: Int32) {
      close(descriptor)
      connections[descriptor] = nil
    }
    while running {
      var watched = [
        pollfd(fd: udp, events: Int16(POLLIN), revents: 0),
        pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
      ]
      for (descriptor, connection) in connections {
        var events = Int16(0)
        if connection.output.count < DNSServer.maximumPendingReply { events |= Int16(POLLIN) }
        if !connection.output.isEmpty { events |= Int16(POLLOUT) }
        watched.append(pollfd(fd: descriptor, events: events, revents: 0))
      }
      let ready = poll(&watched, nfds_t(watched.count), 250)
      let now = BlockingExchange.monotonicNanoseconds()
      for (descriptor, connection) in connections
      where now - connection.active > DNSServer.idleTimeout
        || now - connection.accepted > DNSServer.connectionLifetime
      {
        count { $0.tcpTimeouts += 1 }
        drop(descriptor)
      }
      guard ready > 0 else { continue }
      for entry in watched where entry.revents != 0 {
        switch entry.fd {
        case wake:
          running = false
        case udp:
          if entry.revents & Int16(POLLERR) != 0 { takeErrors(count: count) }
          serveDatagrams(into: &datagram, count: count)
        case listener:
          while let (descriptor, _) = Sockets.accept(on: listener) {
            if connections.count >= DNSServer.maximumConnections,
              let victim = connections.min(by: { $0.value.active < $1.value.active })
            {
              count { $0.tcpEvicted += 1 }
              drop(victim.key)
            }
            count { $0.tcpConnections += 1 }
            connections[descriptor] = Connection(accepted: now, active: now)
          }
        default:
          guard var connection = connections[entry.fd] else { continue }
          if entry.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0,
            connection.output.count < DNSServer.maximumPendingReply
          {
            let received = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
            if received < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard received > 0 else {
              drop(entry.fd)
              continue
            }
            connection.input.append(contentsOf: chunk[0..<received])
            answerFramed(&connection, now: now, count: count)
          }
          if !connection.output.isEmpty {
            let sent = connection.output.withUnsafeBytes {
              Sockets.sendSome(on: entry.fd, $0.baseAddress, count: $0.count)
            }
            if sent > 0 { connection.output.removeFirst(min(sent, connection.output.count)) }
            if sent < 0 && errno != EAGAIN && errno != EINTR {
              count { $0.tcpRepliesCut += 1 }
              drop(entry.fd)
              continue
            }
          }
          connections[entry.fd] = connection
        }
      }
    }
    for descriptor in connections.keys { close(descriptor) }
    close(listener)
    close(udp)
    close(wake)
  }

  /// Empties the socket's error queue: each entry is an ICMP error about
  /// a response sent earlier (its client had gone). Left there, it would
  /// keep `poll` reporting POLLERR, and the loop would spin.
  private func takeErrors(count: Count) {
    for _ in 0..<DNSServer.datagramsPerRound {
      guard Sockets.takeError(on: udp) != nil else { return }
      count { $0.unreachableClients += 1 }
    }
  }

  /// Answers up to `datagramsPerRound` waiting datagrams.
  private func serveDatagrams(into buffer: inout [UInt8], count: Count) {
    for _ in 0..<DNSServer.datagramsPerRound {
      guard let (size, from) = Sockets.receive(on: udp, into: &buffer) else {
        // A queued ICMP error fails one receive; the datagrams behind it
        // are still there.
        guard errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH else {
          return
        }
        takeErrors(count: count)
        continue
      }
      count { $0.udpQueries += 1 }
      guard let from, let query = decode(Array(buffer[0..<size]), count: count),
        let response = answerer.respond(to: query)
      else { continue }
      let limit = min(
        max(Int(query.ednsUDPSize ?? 0), DNSMessage.classicUDPSize), DNSServer.maximumUDPSize)
      let bytes = response.encode(maximumSize: limit)
      // TC is bit 1 of the third byte.
      let truncated = bytes.count > 2 && bytes[2] & 0x02 != 0
      // Counted before it is sent, so that a client holding the answer
      // finds it counted.
      count { counters in
        counters.responses[
          DNSResponseCode(rawValue: response.rcode)?.word ?? "other", default: 0] +=
          1
        if truncated { counters.truncated += 1 }
      }
      if !Sockets.send(bytes, to: from, on: udp) {
        count { $0.sendFailures += 1 }
      }
    }
  }

  /// Answers every whole length-prefixed query in the connection's input.
  private func answerFramed(_ connection: inout Connection, now: Int64, count: Count) {
    var consumed = 0
    let input = connection.input
    while input.count - consumed >= 2 {
      let length = Int(input[consumed]) << 8 | Int(input[consumed + 1])
      guard input.count - consumed - 2 >= length else { break }
      let start = consumed + 2
      consumed = start + length
      connection.active = now
      count { $0.tcpQueries += 1 }
      guard let query = decode(Array(input[start..<consumed]), count: count),
        let response = answerer.respond(to: query)
      else { continue }
      let bytes = response.encode()
      connection.output.append(UInt8(truncatingIfNeeded: bytes.count >> 8))
      connection.output.append(UInt8(truncatingIfNeeded: bytes.count))
      connection.output.append(contentsOf: bytes)
      count {
        $0.responses[DNSResponseCode(rawValue: response.rcode)?.word ?? "other", default: 0] += 1
      }
      if connection.output.count >= DNSServer.maximumPendingReply { break }
    }
    if consumed > 0 { connection.input.removeFirst(consumed) }
  }

  /// The query in `bytes`, or nil (counted) when it does not decode or is
  /// a response.
  private func decode(_ bytes: [UInt8], count: Count) -> DNSMessage? {
    do {
      let message = try DNSMessage.decode(bytes)
      if message.isResponse {
        count { $0.unsolicitedResponses += 1 }
        return nil
      }
      return message
    } catch {
      count { $0.malformed[error.kind, default: 0] += 1 }
      return nil
    }
  }
}
