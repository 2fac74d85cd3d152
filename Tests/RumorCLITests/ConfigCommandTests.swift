import Foundation
import Testing

@testable import RumorCLI

@Suite("rumor config")
struct ConfigCommandTests {
  /// Writes `text` to a fresh file and returns its path.
  func temporaryFile(_ text: String) throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("rumor-config-\(UUID().uuidString).yml").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("check of a good file prints a summary and exits 0")
  func checkGoodFile() async throws {
    let path = try temporaryFile(
      """
      deployment:
        mode: distributed
        domain: autobot.prod
      services:
        redis:
          host: redis-01.autobot.prod
          port: 6379
          timeout: 10
          retries: 5
      load_balancers:
        api:
          hosts:
            - api-01.autobot.prod:8001
            - api-02.autobot.prod:8001
      gossip:
        join:
          - api-01.autobot.prod
      """)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = await runRumor(["config", "check", path])
    #expect(result.status == 0)
    #expect(result.err.isEmpty)
    let text = result.out.joined(separator: "\n")
    #expect(text.hasPrefix("\(path): valid"))
    #expect(text.contains("mode            distributed"))
    #expect(text.contains("redis (redis-01.autobot.prod:6379, timeout 10s, 5 retries)"))
    #expect(text.contains("api (round_robin: api-01.autobot.prod:8001, api-02.autobot.prod:8001)"))
    #expect(text.contains("join api-01.autobot.prod:7946"))
  }

  @Test("check of a bad file prints every error as file:line:column on stderr and exits 1")
  func checkBadFile() async throws {
    let path = try temporaryFile(
      """
      deployment:
        mode: docker-local
      services:
        redis:
          port: abc
          tiemout: 5
      """)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = await runRumor(["config", "check", path])
    #expect(result.status == 1)
    #expect(result.out.isEmpty)
    #expect(
      result.err == [
        "\(path):2:9: deployment.mode: 'docker-local' is not a deployment mode; did you mean 'docker_local'? (one of local, docker_local, distributed, kubernetes)",
        "\(path):5:11: services.redis.port: 'abc' is not a port; use a whole number from 1 to 65535",
        "\(path):6:5: services.redis: unknown key 'tiemout'; did you mean 'timeout'? (known: host, port, scheme, timeout, retries)",
        "rumor config: \(path): 3 errors",
      ])
  }

  @Test("check --json reports a syntax error with its position, and exits 1")
  func checkJSON() async throws {
    let path = try temporaryFile("gossip:\n  join: [a, b]\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = await runRumor(["config", "check", "--json", path])
    #expect(result.status == 1)
    #expect(
      result.out == [
        #"{"file":"\#(path)","valid":false,"errors":[{"file":"\#(path)","line":2,"column":9,"message":"flow-style lists ('[...]') are not supported; write one '- item' per line, below the key"}]}"#
      ])
  }

  @Test(
    "check of each shipped file succeeds",
    arguments: ["local", "docker-local", "distributed", "kubernetes"])
  func shippedFiles(name: String) async {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("config/deployment/\(name).yml").path
    let result = await runRumor(["config", "check", path])
    #expect(result.status == 0, "\(result.err)")
  }

  @Test("a missing file exits 1, a missing argument or an unknown action exits 2")
  func failures() async {
    let missing = await runRumor(["config", "check", "/nonexistent/rumor.yml"])
    #expect(missing.status == 1)
    #expect(missing.err.first == "/nonexistent/rumor.yml: no such file")
    #expect(await runRumor(["config", "check"]).status == 2)
    #expect(await runRumor(["config", "frobnicate"]).status == 2)
    #expect(await runRumor(["config"]).status == 2)
    let help = await runRumor(["config", "--help"])
    #expect(help.status == 0)
    #expect(help.out.first?.hasPrefix("Usage: rumor config check FILE") == true)
  }

  @Test("show prints the effective configuration as JSON")
  func showJSON() async throws {
    let path = try temporaryFile("deployment:\n  mode: kubernetes\n  namespace: shop\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = await runRumor(["config", "show", "--file", path, "--json"])
    #expect(result.status == 0, "\(result.err)")
    let line = try #require(result.out.first)
    #expect(line.contains(#""mode":"kubernetes""#))
    #expect(line.contains(#""url":"redis://redis-service.shop.svc.cluster.local:6379""#))
  }
}
