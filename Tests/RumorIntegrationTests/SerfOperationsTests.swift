import Foundation
import Rumor
import RumorWire
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite(
  "rumor keys, force-leave and tags in a cluster with serf agents", .serialized,
  .enabled(if: serfExecutable != nil, "serf is not installed: apt-get install -y serf"))
struct SerfOperationsTests {
  @Test(
    "rumor keys rotates the key of an encrypted mixed cluster: the old key is gone, serf lists the new one only, nobody drops out; a failed keyring-file write is in the answer"
  )
  func keyRotationFromRumor() async throws {
    let old = "R4Mb1OwXrycAedNJxIEYPerlJhXMkHXBHme5iEkdL/Y="
    let new = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    let third = "Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rumor-keys-\(UInt64.random(in: .min ... .max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("keyring.json").path

    let serf = try SerfAgent(name: "rk-serf", arguments: ["-encrypt=\(old)"])
    let first = try AgentProcess(
      name: "rk1",
      arguments: [
        "--join", serf.address.description, "--encrypt", old, "--http", "127.0.0.1:0",
        "--keyring-file", file,
      ])
    let second = try AgentProcess(
      name: "rk2", arguments: ["--join", serf.address.description, "--encrypt", old])
    defer { killAll(serf, first, second) }
    func allAlive() async -> Bool { await serf.seesAlive(["rk-serf", "rk1", "rk2"]) }
    #expect(await eventually(within: 20) { await allAlive() })
    guard serfExecutable != nil else { return }
    let agent = ["--agent", first.httpAddress?.description ?? ""]
    func keys(_ arguments: [String]) async throws -> (status: Int32, output: String) {
      try await rumorCommand(["keys"] + arguments + agent)
    }

    // The documented order: install everywhere, use, then remove.
    let install = try await keys(["--install", new])
    #expect(install.status == 0, "\(install.output)")
    #expect(install.output.contains("Successfully installed key!"), "\(install.output)")
    // The key from standard input, out of `ps`.
    let piped = try ChildProcess(
      URL(fileURLWithPath: "/bin/sh"),
      [
        "-c",
        "echo '\(new)' | '\(buildDirectory.appendingPathComponent("rumor").path)' keys --use - --agent \(agent[1])",
      ])
    await piped.exit(within: 30)
    #expect(piped.process.terminationStatus == 0, "\(piped.log)")
    #expect(piped.log.contains("Successfully changed primary key!"), "\(piped.log)")
    try await Task.sleep(for: .seconds(2))
    #expect(await allAlive())
    let remove = try await keys(["--remove", old])
    #expect(remove.status == 0, "\(remove.output)")
    // The primary key cannot go: every member refuses, and says so.
    let refused = try await keys(["--remove", new])
    #expect(refused.status == 1, "\(refused.output)")
    #expect(refused.output.contains("3/3 nodes reported failure"), "\(refused.output)")
    #expect(refused.output.contains("rk-serf") && refused.output.contains("rk2"))

    let list = try await keys(["--list", "--json"])
    #expect(list.status == 0, "\(list.output)")
    let answer = try? JSONParser.parse(Array(list.output.utf8))
    #expect(answer?["keys"] == .object([(new, .count(3))]), "\(list.output)")
    #expect(answer?["primary_keys"] == .object([(new, .count(3))]), "\(list.output)")
    let serfList = try await serf.keys(["-list"])
    #expect(serfList.status == 0, "\(serfList.output)")
    let line = serfList.output.split(separator: "\n").first { $0.hasPrefix(new) }
    #expect(line?.split(separator: " ").last == "[3/3]", "\(serfList.output)")
    #expect(!serfList.output.contains(old), "\(serfList.output)")
    #expect(
      (try? String(contentsOfFile: file, encoding: .utf8))?.contains(old) == false,
      "the keyring file lost the old key")

    // Still one cluster on the new key only.
    try await Task.sleep(for: .seconds(3))
    #expect(await allAlive())
    let newBytes = [Array(Data(base64Encoded: new) ?? Data())]
    let view = try await second.members(keys: newBytes)
    #expect(view.filter { $0.state == .alive }.count == 3)

    // A keyring file that cannot be written: the key is installed all the
    // same, and the member's answer says why, to rumor and to serf alike.
    try FileManager.default.createDirectory(
      atPath: file + ".tmp", withIntermediateDirectories: false)
    let failing = try await keys(["--install", third])
    #expect(failing.status == 1, "\(failing.output)")
    #expect(failing.output.contains("1/3 nodes reported failure"), "\(failing.output)")
    let failure = failing.output.split(separator: "\n").first { $0.contains("rk1") }
    #expect(failure?.contains("cannot be written") == true, "\(failing.output)")
    let fromSerf = try await serf.keys(["-install=\(third)"]) { $0.output.contains("rk1") }
    #expect(fromSerf.status != 0, "\(fromSerf.output)")
    #expect(
      fromSerf.output.contains("rk1") && fromSerf.output.contains("cannot be written"),
      "\(fromSerf.output)")

    // Keys never reach the agents' logs.
    for log in [first.log, second.log] {
      #expect(!log.contains(new) && !log.contains(old) && !log.contains(third))
    }
  }

  @Test(
    "a killed member force-left from rumor is left on serf and rumor; one force-left from serf is left on rumor"
  )
  func forceLeave() async throws {
    let serf = try SerfAgent(name: "fl-serf")
    let asker = try AgentProcess(
      name: "fl-a", arguments: ["--join", serf.address.description, "--http", "127.0.0.1:0"])
    let victim = try AgentProcess(name: "fl-b", arguments: ["--join", serf.address.description])
    let other = try AgentProcess(name: "fl-c", arguments: ["--join", serf.address.description])
    defer { killAll(serf, asker, victim, other) }
    let names = ["fl-serf", "fl-a", "fl-b", "fl-c"]
    #expect(await eventually(within: 20) { await serf.seesAlive(names) })
    guard serfExecutable != nil else { return }
    let agent = ["--agent", asker.httpAddress?.description ?? ""]
    // As the agent's API lists members (Serf's view: a force-left member
    // is left there, while a peer's push-pull still carries it as dead).
    func rumorStatus(_ name: String) async -> String? {
      guard let http = asker.httpAddress,
        let reply = try? await AgentClient.get("/v1/members", from: http, timeout: .seconds(5)),
        case .array(let list)? = reply.json
      else { return nil }
      for member in list where member["name"] == .string(name) {
        if case .string(let status)? = member["status"] { return status }
      }
      return nil
    }

    // From rumor: a failed member becomes left everywhere.
    victim.stop(signal: SIGKILL)
    #expect(await eventually(within: 20) { await serf.members()["fl-b"]?.status == "failed" })
    #expect(await eventually(within: 20) { await rumorStatus("fl-b") == "failed" })
    let forced = try await rumorCommand(["force-leave", "fl-b"] + agent)
    #expect(forced.status == 0, "\(forced.output)")
    #expect(forced.output.contains("it was failed"), "\(forced.output)")
    // The intent is gossiped only 2 × ⌈log10(n + 1)⌉ = 2 times per node
    // (the local profile's retransmit multiplier is 2), and the dead
    // members are gossip targets too (memberlist's gossip to the dead):
    // a capture showed both of the asker's sends and both of fl-c's
    // re-sends go to fl-b and each other, so serf heard the leave only
    // from the next push-pull, 11 s later. Serf spreads its own
    // force-leave the same way. So the bound is two push-pull intervals
    // of the local profile (15 s), not one gossip round.
    let antiEntropy = 35.0
    #expect(
      await eventually(within: antiEntropy) { await serf.members()["fl-b"]?.status == "left" },
      "serf:\n\(serf.child.log)\nrumor:\n\(asker.log)")
    #expect(
      await eventually(within: 10) { await rumorStatus("fl-b") == "left" }, "\(asker.log)")
    #expect(asker.log.contains("left fl-b"), "\(asker.log)")
    let members = try await rumorCommand(["members"] + agent)
    let line = members.output.split(separator: "\n").first { $0.hasPrefix("fl-b ") }
    #expect(line?.contains(" left ") == true, "\(members.output)")

    // From serf: the same on the rumor side.
    other.stop(signal: SIGKILL)
    #expect(await eventually(within: 20) { await rumorStatus("fl-c") == "failed" })
    #expect(await eventually(within: 20) { await serf.members()["fl-c"]?.status == "failed" })
    let fromSerf = try await serf.command("force-leave", ["fl-c"])
    #expect(fromSerf.status == 0, "\(fromSerf.output)")
    #expect(
      await eventually(within: antiEntropy) { await rumorStatus("fl-c") == "left" },
      "serf:\n\(serf.child.log)\nrumor:\n\(asker.log)")
    #expect(await eventually(within: 10) { asker.log.contains("left fl-c") }, "\(asker.log)")

    // Errors say what is wrong.
    let unknown = try await rumorCommand(["force-leave", "nobody"] + agent)
    #expect(unknown.status == 1 && unknown.output.contains("no member named"), "\(unknown.output)")
    let itself = try await rumorCommand(["force-leave", "fl-a"] + agent)
    #expect(itself.status == 1 && itself.output.contains("this agent"), "\(itself.output)")
    #expect(await serf.seesAlive(["fl-serf", "fl-a"]))
  }

  @Test(
    "rumor tags sets and deletes among the agent's tags, the others stay; serf sees the change, and rumor sees serf tags"
  )
  func tags() async throws {
    let serf = try SerfAgent(name: "tg-serf")
    let rumor = try AgentProcess(
      name: "tg-r",
      arguments: [
        "--join", serf.address.description, "--http", "127.0.0.1:0", "--tag", "kept=yes",
      ])
    defer { killAll(serf, rumor) }
    #expect(await eventually(within: 20) { await serf.seesAlive(["tg-serf", "tg-r"]) })
    guard serfExecutable != nil else { return }
    let agent = ["--agent", rumor.httpAddress?.description ?? ""]
    let set = try await rumorCommand(["tags", "--set", "role=web", "--set", "dc=east"] + agent)
    #expect(set.status == 0, "\(set.output)")
    let setSeen = await eventually(within: 10) {
      await serf.members()["tg-r"]?.tags == ["kept": "yes", "role": "web", "dc": "east"]
    }
    let seenFirst = await serf.members()["tg-r"]?.tags ?? [:]
    #expect(setSeen, "\(seenFirst)")
    let delete = try await rumorCommand(["tags", "--delete", "dc", "--json"] + agent)
    #expect(delete.status == 0, "\(delete.output)")
    let answer = try? JSONParser.parse(Array(delete.output.utf8))
    #expect(
      answer?["tags"] == .object([("kept", .string("yes")), ("role", .string("web"))]),
      "\(delete.output)")
    let deleteSeen = await eventually(within: 10) {
      await serf.members()["tg-r"]?.tags == ["kept": "yes", "role": "web"]
    }
    let seen = await serf.members()["tg-r"]?.tags ?? [:]
    #expect(deleteSeen, "\(seen)")
    // The other way: serf tags on the serf agent reach the rumor agent.
    let serfTags = try await serf.command("tags", ["-set", "color=red"])
    #expect(serfTags.status == 0, "\(serfTags.output)")
    let members = { () async -> String in
      (try? await rumorCommand(["members", "--json"] + agent).output) ?? ""
    }
    #expect(await eventually(within: 10) { await members().contains(#""color":"red""#) })
    let nothing = try await rumorCommand(["tags"] + agent)
    #expect(nothing.status == 2 && nothing.output.contains("--set"), "\(nothing.output)")
    let bad = try await rumorCommand(["tags", "--set", "novalue"] + agent)
    #expect(bad.status == 2 && bad.output.contains("KEY=VALUE"), "\(bad.output)")
  }
}
