/// GETs of one key from a redis-server on loopback over one persistent
/// connection, each timed alone: the central-registry alternative to
/// resolving from a local gossip view.
struct RedisGetBench {
  /// Untimed GETs first.
  let warmUpCalls: Int
  /// GETs timed one by one.
  let timedCalls: Int

  /// The key read, named as a central registry might name an entry.
  static let key = "service:service-42"
  /// Its value: a URL as long as the ones the resolver returns.
  static let value = "http://10.1.0.42:8042"

  /// What was measured.
  struct Result: Sendable {
    /// The redis-server executable.
    let executable: String
    /// Its `redis_version`.
    let version: String
    /// Per-GET latency, write of the request to the end of the reply.
    let latency: LatencySample
  }

  /// Starts `executable`, measures, and stops it again whatever happens.
  func run(executable: String) throws -> Result {
    let server = try RedisServer(executable: executable)
    defer { server.stop() }
    let client = try server.connectWhenReady(within: 5)
    let version = try client.serverVersion()
    let set = try client.command(["SET", Self.key, Self.value])
    guard set == .status("OK") else { throw BenchError("SET answered \(set)") }
    let request = RedisClient.encode(["GET", Self.key])
    let check = try client.exchange(request)
    guard check == .bulk(Self.value) else { throw BenchError("GET answered \(check)") }
    let latency = try LatencySampler(warmUpCalls: warmUpCalls, timedCalls: timedCalls).run { _ in
      // Checking the kind of reply costs nanoseconds against a round trip
      // of tens of microseconds, and keeps an error reply from being
      // timed as if it were an answer.
      guard case .bulk(let value?) = try client.exchange(request) else {
        throw BenchError("a GET did not return the value")
      }
      return Digest.of(value)
    }
    return Result(executable: executable, version: version, latency: latency)
  }
}
