import Foundation
import Rumor
import RumorCore
import RumorWire

#if canImport(Glibc)
  import Glibc
#endif

/// `curl`, when installed: the agent API's tests use the client its users
/// use.
let curlExecutable: String? = ["/usr/bin/curl", "/usr/local/bin/curl"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }

/// `python3`, when installed.
let python3Executable: String? = ["/usr/bin/python3", "/usr/local/bin/python3"]
  .first { FileManager.default.isExecutableFile(atPath: $0) }

/// What one curl call got.
struct CurlReply: Sendable {
  var status: Int
  var headers: [String: String]
  var body: String
  var json: JSONValue? { try? JSONParser.parse(Array(body.utf8)) }
}

/// Runs `curl -s -i ARGUMENTS` and splits its answer; throws when curl
/// fails (no answer) or takes longer than `seconds`.
func curl(_ arguments: [String], within seconds: Double = 20) async throws -> CurlReply {
  guard let curlExecutable else { throw AgentFailure("curl is not installed") }
  let child = try ChildProcess(
    URL(fileURLWithPath: curlExecutable),
    ["-s", "-i", "--noproxy", "*", "--max-time", String(Int(seconds))] + arguments)
  guard await child.exit(within: seconds + 5), child.process.terminationStatus == 0 else {
    throw AgentFailure("curl \(arguments) failed: \(child.process.terminationStatus) \(child.log)")
  }
  return parseCurl(child.log)
}

/// Splits `curl -i` output into status, headers (names lower-cased) and
/// body.
func parseCurl(_ text: String) -> CurlReply {
  let parts = text.components(separatedBy: "\r\n\r\n")
  let head = parts.first ?? ""
  let body = parts.dropFirst().joined(separator: "\r\n\r\n")
  let lines = head.components(separatedBy: "\r\n")
  let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
  var headers: [String: String] = [:]
  for line in lines.dropFirst() {
    guard let colon = line.firstIndex(of: ":") else { continue }
    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
      .trimmingCharacters(in: .whitespaces)
  }
  return CurlReply(status: status, headers: headers, body: body)
}

/// `http://ADDRESS` of an agent's API.
func apiURL(_ agent: AgentProcess, _ path: String) throws -> String {
  guard let address = agent.httpAddress else {
    throw AgentFailure("agent \(agent.name) has no HTTP API: \(agent.log)")
  }
  return "http://\(address)\(path)"
}
