import Testing

@testable import RumorDiscovery

@Suite("The shipped deployment files")
struct ShippedFileTests {
  @Test("each file parses and decodes, and names its own mode", arguments: ShippedFiles.names)
  func decodes(name: String) throws {
    let configuration = try ConfigurationLoader.load(file: ShippedFiles.path(name))
    let expected: [String: DeploymentMode] = [
      "local.yml": .local, "docker-local.yml": .dockerLocal, "distributed.yml": .distributed,
      "kubernetes.yml": .kubernetes,
    ]
    #expect(configuration.mode == expected[name])
    #expect(configuration.gossip.bind != nil)
    #expect(configuration.gossip.profile != nil)
  }

  @Test("distributed.yml carries the brief's values")
  func distributedHasTheBriefsValues() throws {
    let configuration = try ConfigurationLoader.load(file: ShippedFiles.path("distributed.yml"))
    #expect(configuration.mode == .distributed)
    #expect(configuration.domain == "autobot.prod")
    #expect(
      configuration.service(named: "redis")
        == ServiceEndpoint(
          name: "redis", host: "redis-01.autobot.prod", port: 6379, timeout: .seconds(10),
          retries: 5))
    #expect(
      configuration.service(named: "ai-stack")
        == ServiceEndpoint(
          name: "ai-stack", host: "ai-worker-01.autobot.prod", port: 8080, timeout: .seconds(60),
          retries: 3))
    #expect(
      configuration.loadBalancers == [
        LoadBalancer(
          name: "api",
          hosts: [
            HostAndPort(host: "api-01.autobot.prod", port: 8001),
            HostAndPort(host: "api-02.autobot.prod", port: 8001),
          ], strategy: .roundRobin)
      ])
  }

  @Test("distributed.yml resolves the brief's example URLs")
  func distributedResolvesTheBriefsURLs() throws {
    let configuration = try ConfigurationLoader.load(file: ShippedFiles.path("distributed.yml"))
    let effective = try ConfigurationLoader.effective(configuration, host: HostEnvironment())
    #expect(effective.service(named: "redis")?.url == "redis://redis-01.autobot.prod:6379")
    #expect(effective.service(named: "ai-stack")?.url == "http://ai-worker-01.autobot.prod:8080")
    #expect(effective.service(named: "backend")?.url == "http://backend-01.autobot.prod:8001")
  }

  @Test("every key of the shipped files is documented in docs/configuration.md")
  func keysAreDocumented() throws {
    let docs = try String(
      contentsOfFile: ShippedFiles.path("../../docs/configuration.md"), encoding: .utf8)
    let keys =
      ConfigurationDecoder.topLevelKeys + ConfigurationDecoder.deploymentKeys
      + ConfigurationDecoder.serviceKeys + ConfigurationDecoder.loadBalancerKeys
      + ConfigurationDecoder.gossipKeys + ConfigurationDecoder.advertisedKeys
      + ConfigurationDecoder.checkKeys + ConfigurationDecoder.dnsKeys
    for key in keys {
      #expect(docs.contains("`\(key)`"), "docs/configuration.md does not mention `\(key)`")
    }
    for variable in EnvironmentVariable.rumorVariables + [
      EnvironmentVariable.deploymentMode, EnvironmentVariable.domain, EnvironmentVariable.namespace,
    ] {
      #expect(docs.contains("`\(variable)`"), "docs/configuration.md does not mention \(variable)")
    }
  }
}
