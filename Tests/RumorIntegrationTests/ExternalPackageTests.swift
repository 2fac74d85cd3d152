import Foundation
import Rumor
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The repository's root: this file is Tests/RumorIntegrationTests/….
private let repositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A separate Swift package that depends on Rumor by path and embeds a
/// node with the public calls only, as a user's service would: start from
/// the configuration, resolve, run until cancelled.
enum ExternalPackage {
  /// The program: everything a user writes to embed Rumor.
  static let main = """
    import Rumor

    #if canImport(Glibc)
      import Glibc
    #endif

    /// One line straight to standard output: the test reads it at once.
    func say(_ line: String) {
      var text = line + "\\n"
      text.withUTF8 { bytes in _ = write(1, bytes.baseAddress, bytes.count) }
    }

    let signals = ShutdownSignal()

    let configuration = try EffectiveConfiguration.current()
    let node = try await RumorNode.start(configuration: configuration)
    let registry = ServiceRegistry(configuration: configuration, node: node)
    say("started \\(node.name) on \\(node.boundAddress)")

    // The agent's service, once gossip has it (passing its check).
    var found: Resolution?
    for _ in 0..<300 where found == nil {
      if let answer = try? registry.resolve("probe"), answer.source == .gossip {
        found = answer
      } else {
        try await Task.sleep(for: .milliseconds(100))
      }
    }
    say("resolved probe \\(found.map { "\\($0.url) from \\($0.source)" } ?? "nowhere")")
    // The call a service makes on every request: one snapshot read.
    say("url(for:) \\((try? registry.url(for: "probe", path: "/x")) ?? "failed")")

    // Every change of the answer, as it happens.
    let watching = Task {
      for await update in registry.watch("probe") {
        switch update {
        case .success(let answer):
          say("watch \\(answer.url) from \\(answer.source) on \\(answer.instance?.node ?? "-")")
        case .failure(let error):
          say("watch failed: \\(error)")
        }
      }
    }

    // Run until told to stop: cancelling run() leaves the cluster.
    let running = Task { try await node.run() }
    say("running until SIGINT or SIGTERM")
    let signal = await signals.next()
    say("\\(signal): cancelling run()")
    watching.cancel()
    running.cancel()
    try await running.value
    say("left and stopped")
    """

  /// The package manifest, depending on the repository by path.
  static func manifest(root: URL) -> String {
    let identity = root.lastPathComponent.lowercased()
    return """
      // swift-tools-version: 6.0
      import PackageDescription

      let package = Package(
        name: "RumorUser",
        dependencies: [.package(path: "\(root.path)")],
        targets: [
          .executableTarget(
            name: "rumor-user",
            dependencies: [.product(name: "Rumor", package: "\(identity)")])
        ],
        swiftLanguageModes: [.v6]
      )
      """
  }

  /// Writes the package into a directory named after the repository (so
  /// that runs reuse it) and builds it with a scratch directory inside the
  /// repository's `.build`, so that a second run compiles only what
  /// changed. Returns the executable, or why it could not be built:
  /// `skip` for a machine that cannot build it (no toolchain on the path,
  /// or out of time), `failure` for a build error, which is a broken
  /// public API.
  static func build(timeout seconds: Double) async throws -> Result<URL, BuildProblem> {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "rumor-external-package-"
        + repositoryRoot.path.replacingOccurrences(of: "/", with: "-").trimmingCharacters(
          in: ["-"]))
    let sources = directory.appendingPathComponent("Sources/rumor-user")
    try FileManager.default.createDirectory(at: sources, withIntermediateDirectories: true)
    try manifest(root: repositoryRoot).write(
      to: directory.appendingPathComponent("Package.swift"), atomically: true, encoding: .utf8)
    try main.write(
      to: sources.appendingPathComponent("main.swift"), atomically: true, encoding: .utf8)
    let scratch = repositoryRoot.appendingPathComponent(".build/external-package")
    let child: ChildProcess
    do {
      child = try ChildProcess(
        URL(fileURLWithPath: "/usr/bin/env"),
        [
          "swift", "build", "--package-path", directory.path, "--scratch-path", scratch.path,
        ])
    } catch {
      return .failure(.skip("cannot run swift build: \(error)"))
    }
    guard await child.exit(within: seconds) else {
      return .failure(
        .skip("swift build took more than \(Int(seconds)) s: \(child.log.suffix(2000))"))
    }
    guard child.process.terminationStatus == 0 else {
      if child.log.contains("env: 'swift'") {
        return .failure(.skip("no swift on the PATH"))
      }
      return .failure(.failure("swift build failed:\n\(child.log.suffix(4000))"))
    }
    return .success(scratch.appendingPathComponent("debug/rumor-user"))
  }

  /// Why the package was not built.
  enum BuildProblem: Error {
    /// The machine cannot build it here: the test is skipped, saying why.
    case skip(String)
    /// It did not compile: the test fails.
    case failure(String)
  }
}

@Suite("A separate package embeds Rumor through its public API", .serialized)
struct ExternalPackageTests {
  @Test(
    "a package depending on Rumor by path starts from configuration, resolves from gossip, watches its service move when the instance is killed, and leaves when run() is cancelled"
  )
  func externalPackageEmbedsANode() async throws {
    let executable: URL
    switch try await ExternalPackage.build(timeout: 900) {
    case .success(let built): executable = built
    case .failure(.skip(let reason)):
      print("SKIPPED external package test: \(reason)")
      return
    case .failure(.failure(let log)):
      Issue.record("\(log)")
      return
    }

    let label = "external-\(UInt32.random(in: 0 ... .max))"
    // Two agents advertise `probe`, each on its own gossip port, checked
    // by TCP: it passes as soon as the agent listens.
    var agents: [String: (agent: AgentProcess, port: UInt16)] = [:]
    var seed: NodeAddress?
    for name in ["ext-agent-a", "ext-agent-b"] {
      let port = freePort()
      let agent = try AgentProcess(
        name: name, port: port,
        arguments: ["--label", label, "--service", "probe=tcp://:\(port)"]
          + (seed.map { ["--join", $0.description] } ?? []))
      agents[name] = (agent, port)
      seed = seed ?? agent.address
    }
    defer { for (agent, _) in agents.values { agent.stop(signal: SIGKILL) } }
    guard let seed else { throw AgentFailure("no agent address") }

    let user = try ChildProcess(
      executable, [],
      environment: [
        "AUTOBOT_DEPLOYMENT_MODE": "local", "RUMOR_BIND": "127.0.0.1:0",
        "RUMOR_NODE_NAME": "external", "RUMOR_JOIN": seed.description,
        "RUMOR_LABEL": label, "RUMOR_PROFILE": "local", "RUMOR_CONFIG": "",
      ])
    defer { user.stop(signal: SIGKILL) }

    #expect(
      await eventually(within: 30) { user.log.contains("running until") }, "\(user.log)")
    #expect(user.log.contains("resolved probe tcp://127.0.0.1:"), "\(user.log)")
    #expect(user.log.contains(" from gossip\nurl(for:) tcp://127.0.0.1:"), "\(user.log)")
    // The agents' cluster is labelled: their logs tell what they saw.
    for (agent, _) in agents.values {
      #expect(
        await eventually(within: 10) { agent.log.contains("joined external ") }, "\(agent.log)")
    }

    // The watch follows one instance; kill its agent without a goodbye,
    // and the watch moves to the other.
    func watched() -> String? {
      user.log.split(separator: "\n").last { $0.hasPrefix("watch ") }.map(String.init)
    }
    #expect(
      await eventually(within: 20) { watched()?.contains(" from gossip on ext-agent-") == true })
    let victim = try #require(
      agents.keys.first { watched()?.hasSuffix(" on \($0)") == true }, "\(user.log)")
    let survivor = try #require(agents.keys.first { $0 != victim })
    let survivorPort = try #require(agents[survivor]?.port)
    agents[victim]?.agent.stop(signal: SIGKILL)
    #expect(
      await eventually(within: 30) {
        watched() == "watch tcp://127.0.0.1:\(survivorPort) from gossip on \(survivor)"
      }, "\(user.log)")
    let agent = try #require(agents[survivor]?.agent)

    kill(user.process.processIdentifier, SIGTERM)
    #expect(await user.exit(within: 20), "\(user.log)")
    #expect(user.process.terminationStatus == 0, "\(user.log)")
    #expect(user.log.contains("left and stopped"), "\(user.log)")
    #expect(await eventually(within: 10) { agent.log.contains("left external ") }, "\(agent.log)")
    #expect(!agent.log.contains("failed external "), "\(agent.log)")
  }
}
