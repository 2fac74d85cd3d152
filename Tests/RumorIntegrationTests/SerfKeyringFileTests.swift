import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite(
  "A rumor agent's keyring file across a serf keys rotation and a restart", .serialized,
  .enabled(if: serfExecutable != nil, "serf is not installed: apt-get install -y serf"))
struct SerfKeyringFileTests {
  @Test(
    "serf keys rotates the key, the rumor agent writes it down, and rejoins with it after a restart"
  )
  func keyringSurvivesRestart() async throws {
    let old = "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y="
    let new = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rumor-keyring-\(UInt64.random(in: .min ... .max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("keyring.json").path
    func stored() -> [String]? {
      guard let data = FileManager.default.contents(atPath: file) else { return nil }
      return try? JSONSerialization.jsonObject(with: data) as? [String]
    }

    let serf = try SerfAgent(name: "kf-serf", arguments: ["-encrypt=\(old)"])
    let port = freePort()
    let agentArguments = [
      "--join", serf.address.description, "--encrypt", old, "--keyring-file", file,
    ]
    var rumor = try AgentProcess(name: "kf-rumor", port: port, arguments: agentArguments)
    defer { killAll(serf, rumor) }
    #expect(stored() == [old], "the file is created from --encrypt")
    func rumorAlive() async -> Bool { await serf.members()["kf-rumor"]?.status == "alive" }
    #expect(await eventually(within: 20) { await rumorAlive() })

    guard serfExecutable != nil else { return }
    func keys(_ arguments: [String]) async throws -> (status: Int32, output: String) {
      try await serf.keys(arguments)
    }
    let install = try await keys(["-install=\(new)"])
    #expect(install.status == 0, "\(install.output)")
    #expect(await eventually(within: 5) { stored() == [old, new] }, "\(stored() ?? [])")
    let use = try await keys(["-use=\(new)"])
    #expect(use.status == 0, "\(use.output)")
    #expect(await eventually(within: 5) { stored() == [new, old] }, "\(stored() ?? [])")
    let remove = try await keys(["-remove=\(old)"])
    #expect(remove.status == 0, "\(remove.output)")
    #expect(await eventually(within: 5) { stored() == [new] }, "\(stored() ?? [])")
    let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
    #expect(mode == 0o600)

    // Restart with the same command line: the file's key wins over
    // --encrypt's old one, so the agent is back in the cluster.
    kill(rumor.child.process.processIdentifier, SIGINT)
    #expect(await rumor.child.exit(within: 15))
    #expect(await eventually(within: 20) { await serf.members()["kf-rumor"]?.status == "left" })
    rumor = try AgentProcess(name: "kf-rumor", port: port, arguments: agentArguments)
    #expect(await eventually(within: 20) { await rumorAlive() }, "\(rumor.log)")
    let newBytes = [Array(Data(base64Encoded: new) ?? Data())]
    let view = try await rumor.members(keys: newBytes)
    #expect(view.filter { $0.state == .alive }.count == 2)
    #expect(!rumor.log.contains(new) && !rumor.log.contains(old), "keys are never logged")
  }
}
