#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// One persistent TCP connection to a Redis server, speaking RESP written
/// by hand: what a client library with a connection pool does on its hot
/// path, minus the library, so that the comparison charges Redis only for
/// the round trip and the server's work.
///
/// One request is outstanding at a time (no pipelining): each GET waits
/// for its reply, as a service resolving an address before a call would.
final class RedisClient {
  private let descriptor: Int32
  /// Received bytes; `start..<end` is not yet parsed. Indices stay valid
  /// during one reply: the buffer only grows, and is rewound between
  /// replies.
  private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
  private var start = 0
  private var end = 0

  /// The largest reply accepted; a bigger one is a protocol error here.
  private static let maximumBuffer = 1 << 24

  /// Connects to 127.0.0.1:`port`.
  init(port: UInt16) throws {
    descriptor = try LoopbackSocket.openConnection(port: port, timeoutSeconds: 5)
  }

  deinit {
    close(descriptor)
  }

  /// `arguments` as a RESP array of bulk strings:
  /// `*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n`.
  static func encode(_ arguments: [String]) -> [UInt8] {
    var bytes = Array("*\(arguments.count)\r\n".utf8)
    for argument in arguments {
      bytes += Array("$\(argument.utf8.count)\r\n".utf8)
      bytes += Array(argument.utf8)
      bytes += [0x0d, 0x0a]
    }
    return bytes
  }

  /// Sends `arguments` and returns the reply.
  func command(_ arguments: [String]) throws -> RedisReply {
    try exchange(Self.encode(arguments))
  }

  /// Sends an already encoded request (so that a timed loop does not
  /// re-encode it each time) and reads the whole reply.
  func exchange(_ request: [UInt8]) throws -> RedisReply {
    try transmit(request)
    return try readReply()
  }

  /// The server's `redis_version`, from `INFO server`.
  func serverVersion() throws -> String {
    guard case .bulk(let info?) = try command(["INFO", "server"]) else {
      throw BenchError("INFO server did not return a bulk string")
    }
    for line in info.split(whereSeparator: { $0 == "\r" || $0 == "\n" })
    where line.hasPrefix("redis_version:") {
      return String(line.dropFirst("redis_version:".count))
    }
    return "unknown"
  }

  // MARK: Wire

  private func transmit(_ request: [UInt8]) throws {
    var offset = 0
    while offset < request.count {
      let sent = request.withUnsafeBytes { raw in
        // MSG_NOSIGNAL: a server that went away must fail this call, not
        // kill the benchmark with SIGPIPE before it can stop the server.
        send(
          descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset,
          Int32(MSG_NOSIGNAL))
      }
      if sent < 0 && errno == EINTR { continue }
      guard sent > 0 else { throw BenchError("send to redis: \(LoopbackSocket.lastError())") }
      offset += sent
    }
  }

  /// Reads more bytes after `end`, growing the buffer when it is full.
  private func fill() throws {
    if end == buffer.count {
      guard buffer.count < Self.maximumBuffer else {
        throw BenchError("a redis reply is larger than \(Self.maximumBuffer) bytes")
      }
      buffer += [UInt8](repeating: 0, count: buffer.count)
    }
    while true {
      let received = buffer.withUnsafeMutableBytes { raw in
        recv(descriptor, raw.baseAddress.map { $0 + end }, raw.count - end, 0)
      }
      if received < 0 && errno == EINTR { continue }
      guard received > 0 else {
        throw BenchError(
          received == 0
            ? "redis closed the connection" : "recv from redis: \(LoopbackSocket.lastError())")
      }
      end += received
      return
    }
  }

  /// The next line's bytes (without CR LF), consumed.
  private func line() throws -> Range<Int> {
    var scan = start
    while true {
      while scan + 1 < end {
        if buffer[scan] == 0x0d && buffer[scan + 1] == 0x0a {
          let found = start..<scan
          start = scan + 2
          return found
        }
        scan += 1
      }
      try fill()
    }
  }

  /// A decimal integer in `range`, with an optional minus sign.
  private func integer(in range: Range<Int>) throws -> Int64 {
    var index = range.lowerBound
    let negative = index < range.upperBound && buffer[index] == UInt8(ascii: "-")
    if negative { index += 1 }
    guard index < range.upperBound, range.upperBound - index <= 18 else {
      throw BenchError("a redis reply has a malformed number")
    }
    var value: Int64 = 0
    while index < range.upperBound {
      let digit = buffer[index] &- UInt8(ascii: "0")
      guard digit < 10 else { throw BenchError("a redis reply has a malformed number") }
      value = value * 10 + Int64(digit)
      index += 1
    }
    return negative ? -value : value
  }

  private func text(_ range: Range<Int>) -> String {
    String(decoding: buffer[range], as: UTF8.self)
  }

  /// Reads one whole reply.
  private func readReply() throws -> RedisReply {
    if start == end {
      // Everything before was consumed: rewind, so the buffer never grows
      // for a stream of small replies.
      start = 0
      end = 0
    }
    let header = try line()
    guard let kind = header.first.map({ buffer[$0] }) else {
      throw BenchError("redis sent an empty line")
    }
    let body = (header.lowerBound + 1)..<header.upperBound
    switch kind {
    case UInt8(ascii: "+"):
      return .status(text(body))
    case UInt8(ascii: "-"):
      return .error(text(body))
    case UInt8(ascii: ":"):
      return .integer(try integer(in: body))
    case UInt8(ascii: "$"):
      let length = try integer(in: body)
      guard length >= 0 else { return .bulk(nil) }
      guard length <= Self.maximumBuffer else {
        throw BenchError("a redis bulk reply of \(length) bytes is too large")
      }
      let count = Int(length)
      while end - start < count + 2 { try fill() }
      let value = start..<(start + count)
      guard buffer[value.upperBound] == 0x0d && buffer[value.upperBound + 1] == 0x0a else {
        throw BenchError("a redis bulk reply does not end in CR LF")
      }
      start = value.upperBound + 2
      return .bulk(text(value))
    default:
      throw BenchError("redis sent a reply of a kind this client does not read: '\(text(header))'")
    }
  }
}
