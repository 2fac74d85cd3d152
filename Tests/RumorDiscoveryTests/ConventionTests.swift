import RumorCore
import Testing

@testable import RumorDiscovery

@Suite("Per-mode conventions")
struct ConventionTests {
  @Test("each mode has its host convention for a service")
  func hostConventions() {
    func host(_ mode: DeploymentMode, domain: String? = "autobot.prod") -> String? {
      ServiceHostConvention.host(
        forService: "ai-stack", mode: mode, domain: domain, namespace: "autobot-system")
    }
    #expect(host(.local) == "localhost")
    #expect(host(.dockerLocal) == "autobot-ai-stack")
    #expect(host(.distributed) == "ai-stack-01.autobot.prod")
    #expect(host(.distributed, domain: "autobot.prod.") == "ai-stack-01.autobot.prod")
    #expect(host(.distributed, domain: nil) == nil)
    #expect(host(.kubernetes) == "ai-stack-service.autobot-system.svc.cluster.local")
  }

  @Test("with no file, each mode resolves the brief's example URLs for redis")
  func briefURLs() throws {
    func redis(_ variables: [String: String]) throws -> String? {
      try ConfigurationLoader.effective(
        DiscoveryConfiguration(), host: HostEnvironment(variables: variables)
      )
      .service(named: "redis")?.url
    }
    #expect(try redis([:]) == "redis://localhost:6379")
    #expect(try redis(["AUTOBOT_DEPLOYMENT_MODE": "docker_local"]) == "redis://autobot-redis:6379")
    #expect(try redis(["AUTOBOT_DOMAIN": "autobot.prod"]) == "redis://redis-01.autobot.prod:6379")
    #expect(
      try redis(["KUBERNETES_SERVICE_HOST": "10.96.0.1"])
        == "redis://redis-service.autobot-system.svc.cluster.local:6379")
  }

  @Test("the known services have the brief's ports, schemes and health paths")
  func knownServices() throws {
    let effective = try ConfigurationLoader.effective(
      DiscoveryConfiguration(), host: HostEnvironment())
    #expect(
      effective.services.map { "\($0.name) \($0.url ?? "-") \($0.healthPath ?? "-")" } == [
        "redis redis://localhost:6379 -",
        "backend http://localhost:8001 /api/system/health",
        "ai-stack http://localhost:8080 /health",
        "npu-worker http://localhost:8081 /health",
        "frontend http://localhost:5173 /",
      ])
  }

  @Test("an unknown service without a port or scheme has no static URL, and says what is missing")
  func unknownService() throws {
    let configuration = try ConfigurationLoader.decode(
      "services:\n  search:\n    timeout: 3\n", file: "f.yml")
    let effective = try ConfigurationLoader.effective(configuration, host: HostEnvironment())
    #expect(effective.service(named: "search")?.url == nil)
    #expect(effective.service(named: "search")?.missing == "no scheme, no port")
  }

  @Test(
    "the seeds of each mode: loopback, container names, the join list then DNS names, a headless service"
  )
  func seeds() {
    func seeds(_ mode: DeploymentMode, join: [HostAndPort] = []) -> [String] {
      GossipSeeds.seeds(
        join: join, mode: mode, domain: "autobot.prod", namespace: "shop",
        services: ["redis", "backend"]
      ).map(\.description)
    }
    #expect(seeds(.local) == ["127.0.0.1:7946"])
    #expect(seeds(.dockerLocal) == ["autobot-redis:7946", "autobot-backend:7946"])
    #expect(
      seeds(
        .distributed,
        join: [
          HostAndPort(host: "backend-01.autobot.prod", port: 7946),
          HostAndPort(host: "10.0.0.1", port: 7000),
        ])
        == ["backend-01.autobot.prod:7946", "10.0.0.1:7000", "redis-01.autobot.prod:7946"])
    #expect(seeds(.kubernetes) == ["rumor-gossip.shop.svc.cluster.local:7946"])
  }

  @Test(
    "gossip defaults: loopback and the local profile in local mode, every interface and LAN elsewhere"
  )
  func gossipDefaults() throws {
    let local = try ConfigurationLoader.effective(
      DiscoveryConfiguration(), host: HostEnvironment(hostName: "laptop", processID: 42))
    #expect(local.gossip.bind == HostAndPort(host: "127.0.0.1", port: 7946))
    #expect(local.gossip.profile == .local)
    #expect(local.gossip.nodeName == "laptop-42")
    let pod = try ConfigurationLoader.effective(
      DiscoveryConfiguration(),
      host: HostEnvironment(
        variables: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], hostName: "backend-7d9f"))
    #expect(pod.gossip.bind == HostAndPort(host: "0.0.0.0", port: 7946))
    #expect(pod.gossip.profile == .lan)
    #expect(pod.gossip.nodeName == "backend-7d9f")
  }

  @Test("the Kubernetes namespace comes from the configuration, else the pod, else autobot-system")
  func namespace() throws {
    let file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
    let pod = HostEnvironment(
      variables: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], readFile: { $0 == file ? "shop\n" : nil }
    )
    #expect(
      try ConfigurationLoader.effective(DiscoveryConfiguration(), host: pod).namespace == "shop")
    #expect(
      try ConfigurationLoader.effective(DiscoveryConfiguration(namespace: "ops"), host: pod)
        .namespace == "ops")
    #expect(
      try ConfigurationLoader.effective(DiscoveryConfiguration(), host: HostEnvironment()).namespace
        == "autobot-system")
  }

  @Test("distributed mode without a domain leaves a note and no conventional host")
  func distributedWithoutDomain() throws {
    let effective = try ConfigurationLoader.effective(
      DiscoveryConfiguration(mode: .distributed), host: HostEnvironment())
    #expect(effective.service(named: "backend")?.url == nil)
    #expect(effective.notes.count == 1)
  }
}
