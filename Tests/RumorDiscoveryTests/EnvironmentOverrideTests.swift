import RumorCore
import Testing

@testable import RumorDiscovery

/// A file and environment through the whole pipeline, on a machine that is
/// neither a container nor a pod.
func effectiveConfiguration(_ yaml: String, _ variables: [String: String])
  throws(ConfigurationErrors) -> EffectiveConfiguration
{
  let configuration = try ConfigurationLoader.decode(yaml, file: "f.yml")
  return try ConfigurationLoader.effective(
    configuration, host: HostEnvironment(variables: variables))
}

/// The errors of the pipeline, as printed.
func environmentErrors(_ variables: [String: String], yaml: String = "") -> [String] {
  do {
    _ = try effectiveConfiguration(yaml, variables)
    return []
  } catch {
    return error.errors.map(\.description)
  }
}

@Suite("Environment overrides")
struct EnvironmentOverrideTests {
  static let file = """
    deployment:
      mode: distributed
      domain: autobot.prod
    services:
      redis:
        host: redis-01.autobot.prod
        port: 6379
        timeout: 10
    gossip:
      bind: 0.0.0.0:7946
      join:
        - api-01.autobot.prod
      profile: lan
      label: prod
    """

  @Test("a variable replaces the file's value and is recorded as the origin")
  func variableBeatsFile() throws {
    let effective = try effectiveConfiguration(
      Self.file,
      [
        "AUTOBOT_DOMAIN": "autobot.staging", "REDIS_HOST": "redis-cluster.prod.com",
        "AI_STACK_HOST": "ai-farm-01.prod.com", "AI_STACK_PORT": "9090",
      ])
    #expect(effective.domain == "autobot.staging")
    let redis = effective.service(named: "redis")
    #expect(redis?.url == "redis://redis-cluster.prod.com:6379")
    #expect(redis?.hostOrigin == .environment("REDIS_HOST"))
    #expect(redis?.portOrigin == .file("f.yml", SourcePosition(line: 7, column: 11)))
    #expect(redis?.timeout == .seconds(10))
    #expect(effective.service(named: "ai-stack")?.url == "http://ai-farm-01.prod.com:9090")
    #expect(effective.origins["deployment.domain"] == .environment("AUTOBOT_DOMAIN"))
    #expect(
      effective.environment == ["AUTOBOT_DOMAIN", "REDIS_HOST", "AI_STACK_HOST", "AI_STACK_PORT"])
  }

  @Test("every gossip setting has a RUMOR_ variable that replaces the file's")
  func gossipVariables() throws {
    let key = "MTIzNDU2Nzg5MDEyMzQ1Ng=="
    let effective = try effectiveConfiguration(
      Self.file,
      [
        "RUMOR_NODE_NAME": "api-7", "RUMOR_BIND": "10.1.2.3:8000", "RUMOR_ADVERTISE": "203.0.113.9",
        "RUMOR_JOIN": "seed-a, seed-b:9000", "RUMOR_ENCRYPT": "\(key),\(key)",
        "RUMOR_LABEL": "blue", "RUMOR_PROFILE": "wan",
        "RUMOR_SERVICES": "backend=http://:8001/api,redis=redis://:6379",
      ])
    let gossip = effective.gossip
    #expect(gossip.nodeName == "api-7")
    #expect(gossip.bind == HostAndPort(host: "10.1.2.3", port: 8000))
    #expect(gossip.advertise == HostAndPort(host: "203.0.113.9", port: 7946))
    #expect(
      Array(gossip.seeds.prefix(2)) == [
        HostAndPort(host: "seed-a", port: 7946), HostAndPort(host: "seed-b", port: 9000),
      ])
    #expect(!gossip.seeds.contains(HostAndPort(host: "api-01.autobot.prod", port: 7946)))
    #expect(gossip.encryptionKeys.count == 2)
    #expect(gossip.label == "blue")
    #expect(gossip.profile == .wan)
    #expect(gossip.tags == ["svc.backend": "http://:8001/api", "svc.redis": "redis://:6379"])
    #expect(gossip.advertised.first?.check?.path == "/api/system/health")
    #expect(effective.origins["gossip.join"] == .environment("RUMOR_JOIN"))
  }

  @Test("the preset and each policy: built-in default, the file, then RUMOR_ variables over it")
  func policies() throws {
    let standard = try effectiveConfiguration("", [:])
    #expect(standard.gossip.preset == .standard)
    #expect(standard.gossip.policies == Policies(preset: .standard))
    #expect(standard.origins["gossip.preset"] == .builtIn)
    let file = "gossip:\n  preset: memberlist\n  stand_down: 20s\n  fast_crash_detection: yes\n"
    let fromFile = try effectiveConfiguration(file, [:])
    #expect(fromFile.gossip.preset == .memberlist)
    #expect(fromFile.gossip.policies.standDown == .seconds(20))
    #expect(fromFile.gossip.policies.fastCrashDetection)
    #expect(!fromFile.gossip.policies.guardedAccusations)
    let variables = try effectiveConfiguration(
      file,
      [
        "RUMOR_PRESET": "rumor", "RUMOR_STAND_DOWN": "off", "RUMOR_JOIN_FOLLOW_UP_SYNCS": "5",
        "RUMOR_FAST_CRASH_DETECTION": "false",
      ])
    #expect(variables.gossip.preset == .rumor)
    #expect(variables.gossip.policies.standDown == .zero)
    #expect(variables.gossip.policies.joinFollowUpSyncs == 5)
    #expect(!variables.gossip.policies.fastCrashDetection)
    #expect(variables.gossip.policies.guardedAccusations)
    #expect(variables.origins["gossip.stand_down"] == .environment("RUMOR_STAND_DOWN"))
    let errors = environmentErrors([
      "RUMOR_PRESET": "serf", "RUMOR_GUARDED_ACCUSATIONS": "maybe", "RUMOR_FLAP_QUARANTINE": "soon",
    ])
    #expect(
      errors == [
        "environment RUMOR_PRESET: 'serf' is not a preset (one of memberlist, rumor)",
        "environment RUMOR_GUARDED_ACCUSATIONS: 'maybe' is not true or false",
        "environment RUMOR_FLAP_QUARANTINE: 'soon' is not a duration; write seconds (10, 0.5) or a number with ms, s, m or h (500ms, 10s), or off",
      ])
  }

  @Test("the agent's HTTP API: on loopback by default, gossip.http in the file, RUMOR_HTTP over it")
  func httpAddress() throws {
    let standard = try effectiveConfiguration("", [:])
    #expect(standard.gossip.http == .at(HostAndPort(host: "127.0.0.1", port: 7947)))
    #expect(standard.origins["gossip.http"] == .builtIn)
    let off = try effectiveConfiguration("gossip:\n  http: off\n", [:])
    #expect(off.gossip.http == .off)
    let variable = try effectiveConfiguration(
      "gossip:\n  http: off\n", ["RUMOR_HTTP": "0.0.0.0"])
    #expect(variable.gossip.http == .at(HostAndPort(host: "0.0.0.0", port: 7947)))
    #expect(variable.origins["gossip.http"] == .environment("RUMOR_HTTP"))
    #expect(variable.json.text.contains(#""http":"0.0.0.0:7947""#))
    #expect(throws: ConfigurationErrors.self) {
      try effectiveConfiguration("", ["RUMOR_HTTP": "localhost:7947"])
    }
    #expect(throws: ConfigurationErrors.self) {
      try effectiveConfiguration("gossip:\n  http: nowhere\n", [:])
    }
  }

  @Test("RUMOR_SERVICES keeps the file's check for a service of the same name")
  func servicesKeepFileChecks() throws {
    let effective = try effectiveConfiguration(
      "advertise:\n  backend:\n    url: http://:1\n    check:\n      interval: 3s\n",
      ["RUMOR_SERVICES": "backend=http://:8001"])
    #expect(effective.gossip.advertised.map(\.url.port) == [8001])
    #expect(effective.gossip.advertised.first?.check?.interval == .seconds(3))
  }

  @Test("an empty variable counts as unset")
  func emptyIsUnset() throws {
    let effective = try effectiveConfiguration(Self.file, ["REDIS_HOST": "", "RUMOR_LABEL": "  "])
    #expect(effective.service(named: "redis")?.host == "redis-01.autobot.prod")
    #expect(effective.gossip.label == "prod")
  }

  @Test("a list variable of commas alone is an error, not an empty list over the file's")
  func commasAlone() {
    // `RUMOR_ENCRYPT="$OLD,$NEW"` with both unset must not replace the
    // file's keys with none, which would gossip in plaintext. (Variables
    // are read trimmed, so " , " is named as ",".)
    let yaml = "gossip:\n  encrypt: \(String(repeating: "A", count: 43))=\n"
    #expect(
      environmentErrors(
        ["RUMOR_ENCRYPT": ",", "RUMOR_JOIN": " , ", "RUMOR_SERVICES": ","], yaml: yaml)
        == [
          "environment RUMOR_JOIN: ',' lists nothing between its commas; give at least one item (an empty variable counts as unset, keeping the file's)",
          "environment RUMOR_ENCRYPT: ',' lists nothing between its commas; give at least one item (an empty variable counts as unset, keeping the file's)",
          "environment RUMOR_SERVICES: ',' lists nothing between its commas; give at least one item (an empty variable counts as unset, keeping the file's)",
        ])
  }

  @Test("RUMOR_SERVICES is held to the file's 512-byte rule for tags")
  func servicesMustFit() {
    // Before 2026-12-07 `rumor config show` took twelve long services from
    // the variable; only the agent's start refused them.
    let services = (1...12).map { "svc-number-\($0)=http://:80\($0)/some/long/path/here" }
    let errors = environmentErrors(["RUMOR_SERVICES": services.joined(separator: ",")])
    #expect(errors.count == 1)
    #expect(
      errors.first?.hasPrefix(
        "environment RUMOR_SERVICES: the services' tags do not fit in a node's metadata: tags encode to"
      ) == true, "\(errors)")
  }

  @Test("the any-address cannot be advertised, from the file or the environment")
  func anyAddressIsNotAdvertised() {
    // Accepted before 2026-12-07: the node then told every member to
    // reach it at 0.0.0.0.
    let reason =
      "is the any-address, which other members cannot reach; advertise the address they reach this node at, or leave it out (the bind address, or the machine's first private address when binding 0.0.0.0)"
    #expect(
      environmentErrors(["RUMOR_ADVERTISE": "0.0.0.0"]) == [
        "environment RUMOR_ADVERTISE: '0.0.0.0' \(reason)"
      ])
    #expect(
      decodingErrors("gossip:\n  advertise: \"[::]:7000\"\n") == [
        "c.yml:2:14: gossip.advertise: '[::]:7000' \(reason)"
      ])
    #expect(
      environmentErrors(["RUMOR_ADVERTISE": "my-host"]) == [
        "environment RUMOR_ADVERTISE: 'my-host' is not a numeric IP address; give the address other members reach this node at"
      ])
    #expect(environmentErrors(["RUMOR_ADVERTISE": "10.0.0.5"]).isEmpty)
  }

  @Test("a Kubernetes or Docker link's tcp://HOST:PORT in <NAME>_PORT gives its port")
  func linkStylePorts() throws {
    let effective = try effectiveConfiguration("", ["REDIS_PORT": "tcp://10.0.0.11:6380"])
    #expect(effective.service(named: "redis")?.port == 6380)
  }

  @Test("a bad value is an error naming the variable, and every bad variable is reported")
  func badValues() {
    let errors = environmentErrors([
      "REDIS_PORT": "sixty", "AI_STACK_HOST": "http://ai:8080", "RUMOR_BIND": "my-host",
      "RUMOR_JOIN": "a,,b:x", "RUMOR_ENCRYPT": "short", "RUMOR_PROFILE": "lna",
      "RUMOR_SERVICES": "backend", "AUTOBOT_DOMAIN": "-bad-", "AUTOBOT_DEPLOYMENT_MODE": "cloud",
    ])
    #expect(
      errors == [
        "environment AUTOBOT_DOMAIN: '-bad-' is not a host name or IP address (DNS labels of letters, digits, '-' and '_', separated by dots)",
        "environment REDIS_PORT: 'sixty' is not a port; use a whole number from 1 to 65535",
        "environment AI_STACK_HOST: 'http://ai:8080' is a URL; give the host name alone",
        "environment RUMOR_BIND: 'my-host' is not a numeric IP address; use 0.0.0.0 for every interface, 127.0.0.1 for this machine, or the machine's own address",
        "environment RUMOR_JOIN: item 3: 'x' in 'b:x' is not a port; use a whole number from 1 to 65535",
        "environment RUMOR_ENCRYPT: item 1: a key is not base64; make one with 'rumor keygen'",
        "environment RUMOR_PROFILE: 'lna' is not a gossip profile; did you mean 'lan'? (one of lan, wan, local)",
        "environment RUMOR_SERVICES: item 1: 'backend' is not NAME=URL (e.g. redis=redis://:6379)",
        "environment AUTOBOT_DEPLOYMENT_MODE: 'cloud' is not a deployment mode (one of local, docker_local, distributed, kubernetes)",
      ])
  }

  @Test("<NAME>_HOST with a port says to move it to <NAME>_PORT")
  func hostWithPort() {
    #expect(
      environmentErrors(["REDIS_HOST": "cache:6380"]) == [
        "environment REDIS_HOST: 'cache:6380' has a port; give the host alone and the port in REDIS_PORT (6380)"
      ])
  }

  @Test("variable names upper-case the service and turn '-' into '_'")
  func variableNames() {
    #expect(EnvironmentVariable.host(forService: "ai-stack") == "AI_STACK_HOST")
    #expect(EnvironmentVariable.port(forService: "npu-worker") == "NPU_WORKER_PORT")
  }

  @Test("a misspelt RUMOR_ variable is a note with the likely name, not an error")
  func typoNote() throws {
    let effective = try effectiveConfiguration("", ["RUMOR_JION": "x", "RUMOR_FUZZ_PRINT": "1"])
    #expect(effective.notes == ["RUMOR_JION is not a Rumor setting; did you mean RUMOR_JOIN?"])
  }

  @Test("RUMOR_CONFIG names the file when none is given")
  func configVariable() throws {
    let effective = try ConfigurationLoader.effective(
      file: nil,
      host: HostEnvironment(variables: ["RUMOR_CONFIG": ShippedFiles.path("distributed.yml")]))
    #expect(effective.mode == .distributed)
    #expect(effective.file == ShippedFiles.path("distributed.yml"))
  }
}
