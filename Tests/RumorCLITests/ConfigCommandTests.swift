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

  /// Every configuration file shipped in config/.
  static var shippedFiles: [String] {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("config/deployment")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".yml") }.sorted().map {
      directory.appendingPathComponent($0).path
    }
  }

  @Test("check of every shipped file succeeds, the brief's production.yml among them")
  func shippedFiles() async {
    let files = Self.shippedFiles
    #expect(
      Set(files.map { URL(fileURLWithPath: $0).lastPathComponent }).isSuperset(of: [
        "local.yml", "docker-local.yml", "distributed.yml", "kubernetes.yml", "production.yml",
      ]), "\(files)")
    let result = await runRumor(["config", "check"] + files)
    #expect(result.status == 0, "\(result.err)")
    #expect(result.err.isEmpty, "\(result.err)")
    for file in files {
      #expect(result.out.contains { $0.hasPrefix("\(file): valid") }, "\(result.out)")
    }
  }

  @Test("check of several files checks them all and names each invalid one")
  func checkSeveralFiles() async throws {
    let good = try temporaryFile("deployment:\n  mode: local\n")
    let bad = try temporaryFile("deployment:\n  mode: nowhere\n")
    defer {
      try? FileManager.default.removeItem(atPath: good)
      try? FileManager.default.removeItem(atPath: bad)
    }
    let result = await runRumor(["config", "check", bad, good])
    #expect(result.status == 1)
    #expect(result.out.contains { $0.hasPrefix("\(good): valid") })
    #expect(result.err.first?.hasPrefix("\(bad):2:9: deployment.mode") == true, "\(result.err)")
    #expect(result.err.last == "rumor config: 1 of 2 files are invalid: \(bad): 1 error")
    let json = await runRumor(["config", "check", "--json", good, bad])
    #expect(json.out.count == 2)
    #expect(json.out.first?.contains(#""valid":true"#) == true)
    #expect(json.out.last?.contains(#""valid":false"#) == true)
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
    #expect(help.out.first?.hasPrefix("Usage: rumor config check FILE...") == true)
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

  @Test("show lists the preset and every policy with where its value came from")
  func showPolicies() async throws {
    let path = try temporaryFile("gossip:\n  preset: memberlist\n  stand_down: 20s\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let text = await runRumor(["config", "show", "--file", path])
    #expect(text.status == 0, "\(text.err)")
    let lines = text.out.joined(separator: "\n").split(separator: "\n").map {
      $0.split(separator: " ").joined(separator: " ")
    }
    #expect(lines.contains { $0.hasPrefix("preset memberlist (\(path):2:11)") }, "\(text.out)")
    #expect(lines.contains { $0.hasPrefix("stand down 20s (\(path):3:15)") }, "\(text.out)")
    #expect(lines.contains { $0.hasPrefix("fast crash detection false") }, "\(text.out)")
    let json = await runRumor(["config", "show", "--file", path, "--json"])
    let line = try #require(json.out.first)
    #expect(line.contains(#""preset":"memberlist""#))
    #expect(line.contains(#""stand_down":"20s""#))
  }
}
