// swift-tools-version: 6.0
// Rumor: peer-to-peer service discovery for Swift on Linux.
// Zero package dependencies: Foundation, Glibc, Dispatch, Synchronization and
// the system libcrypto (AES-GCM only) through a module map.
import PackageDescription

let package = Package(
  name: "Rumor",
  products: [
    .library(name: "Rumor", targets: ["Rumor"]),
    .executable(name: "rumor", targets: ["RumorCLI"]),
    .executable(name: "rumor-bench", targets: ["RumorBench"]),
    .executable(name: "rumor-sim", targets: ["RumorSimulatorCLI"]),
    .executable(name: "rumor-example-service", targets: ["ExampleService"]),
  ],
  targets: [
    // The system's libcrypto, used for AES-GCM and random bytes only.
    .systemLibrary(
      name: "COpenSSL",
      path: "Sources/COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    // glibc's allocator controls, for the simulator's memory (rumor-sim).
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
    // Bytes on the wire: msgpack, memberlist messages and framing, LZW,
    // CRC32, AES-GCM, labels, Serf tags and messages. No IO, no clock.
    .target(name: "RumorWire", dependencies: ["COpenSSL"]),
    // The SWIM state machine with Lifeguard: pure, no IO, no clock.
    .target(name: "RumorCore", dependencies: ["RumorWire"]),
    // Service-discovery configuration: the YAML subset, the typed model,
    // environment overrides, deployment-mode detection and conventions.
    .target(name: "RumorDiscovery", dependencies: ["RumorCore", "RumorWire"]),
    // The public library users import.
    .target(name: "Rumor", dependencies: ["RumorWire", "RumorCore", "RumorDiscovery"]),
    // Argument parsing and console output shared by the executables.
    .target(name: "CommandLineSupport"),
    // The `rumor` command-line tool.
    .executableTarget(name: "RumorCLI", dependencies: ["Rumor", "CommandLineSupport"]),
    // `rumor-bench codec|core|resolve|join`: the benchmarks, one folder
    // each and one of shared support (run in release; figures in
    // docs/benchmarks.md).
    .executableTarget(
      name: "RumorBench",
      dependencies: ["Rumor", "RumorCore", "RumorWire", "CommandLineSupport"]),
    // An HTTP service that embeds a node and advertises itself: the
    // library by example (k8s/ deploys it).
    .executableTarget(name: "ExampleService", dependencies: ["Rumor"]),
    // The deterministic simulator: thousands of real nodes on a virtual
    // network and clock.
    .target(
      name: "RumorSimulator", dependencies: ["RumorCore"], path: "Simulations/RumorSimulator"),
    .executableTarget(
      name: "RumorSimulatorCLI", dependencies: ["RumorSimulator", "CommandLineSupport", "CMalloc"],
      path: "Simulations/rumor-sim"),
    .testTarget(
      name: "RumorWireTests", dependencies: ["RumorWire"], exclude: ["Fixtures"]),
    .testTarget(name: "RumorCoreTests", dependencies: ["RumorCore"]),
    .testTarget(name: "RumorTests", dependencies: ["Rumor"]),
    .testTarget(
      name: "RumorDiscoveryTests", dependencies: ["RumorDiscovery", "RumorCore", "RumorWire"]),
    // Real agent processes (and real serf agents, when installed) on loopback.
    .testTarget(
      name: "RumorIntegrationTests", dependencies: ["Rumor", "RumorCLI", "ExampleService"]),
    .testTarget(name: "RumorSimulationTests", dependencies: ["RumorSimulator"]),
    .testTarget(name: "RumorCLITests", dependencies: ["RumorCLI", "CommandLineSupport", "Rumor"]),
  ],
  swiftLanguageModes: [.v6]
)
