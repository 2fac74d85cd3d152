import Testing

@testable import RumorDiscovery

/// The errors of decoding `text`, as printed.
func decodingErrors(_ text: String) -> [String] {
  do {
    _ = try ConfigurationLoader.decode(text, file: "c.yml")
    return []
  } catch {
    return error.errors.map(\.description)
  }
}

@Suite("Decoding configuration files")
struct ConfigurationDecodingTests {
  @Test("every section decodes into the typed model")
  func everySection() throws {
    let configuration = try ConfigurationLoader.decode(
      """
      deployment:
        mode: kubernetes
        namespace: shop
      services:
        search:
          scheme: http
          host: search.internal
          port: "9200"
          timeout: 1.5
          retries: 0
      gossip:
        node_name: api-1
        bind: 10.0.0.5
        advertise: "[fd00::5]:7000"
        join: seed-1, 10.0.0.6:7947
        encrypt:
          - MTIzNDU2Nzg5MDEyMzQ1Ng==
        label: prod
        profile: wan
      advertise:
        redis: redis://:6379
        backend:
          url: http://:8001/api
          check:
            interval: 30s
            timeout: 500ms
            failures_before_critical: 5
            successes_before_passing: 2
        metrics:
          url: tcp://:9100
          check: none
      """, file: "c.yml")
    #expect(configuration.mode == .kubernetes)
    #expect(configuration.namespace == "shop")
    #expect(
      configuration.services == [
        ServiceEndpoint(
          name: "search", scheme: "http", host: "search.internal", port: 9200,
          timeout: .milliseconds(1500), retries: 0)
      ])
    let gossip = configuration.gossip
    #expect(gossip.nodeName == "api-1")
    #expect(gossip.bind == HostAndPort(host: "10.0.0.5", port: 7946))
    #expect(gossip.advertise == HostAndPort(host: "fd00::5", port: 7000))
    #expect(
      gossip.join == [
        HostAndPort(host: "seed-1", port: 7946), HostAndPort(host: "10.0.0.6", port: 7947),
      ])
    #expect(gossip.encryptionKeys == [Array("1234567890123456".utf8)])
    #expect(gossip.label == "prod")
    #expect(gossip.profile == .wan)
    let advertised = configuration.advertise
    #expect(advertised.map(\.name) == ["redis", "backend", "metrics"])
    #expect(advertised[0].check == HealthCheck(kind: .redis))
    #expect(
      advertised[1].check
        == HealthCheck(
          kind: .http, path: "/api/system/health", interval: .seconds(30),
          timeout: .milliseconds(500),
          failuresBeforeCritical: 5, successesBeforePassing: 2))
    #expect(advertised[1].url == ServiceURL(scheme: "http", port: 8001, path: "/api"))
    #expect(advertised[2].check == nil)
    #expect(
      configuration.origins["gossip.label"] == .file("c.yml", SourcePosition(line: 18, column: 10)))
  }

  @Test("an unknown key is an error at the key, with a suggestion when one is close")
  func unknownKeys() {
    #expect(
      decodingErrors("servces:\n  redis:\n    tiemout: 5\n") == [
        "c.yml:1:1: unknown top-level key 'servces'; did you mean 'services'? (known: deployment, services, load_balancers, gossip, advertise, dns)"
      ])
    #expect(
      decodingErrors("services:\n  redis:\n    tiemout: 5\n    colour: red\n") == [
        "c.yml:3:5: services.redis: unknown key 'tiemout'; did you mean 'timeout'? (known: host, port, scheme, timeout, retries)",
        "c.yml:4:5: services.redis: unknown key 'colour' (known: host, port, scheme, timeout, retries)",
      ])
  }

  @Test("bad values are errors naming the file, position and key, all reported in file order")
  func badValues() {
    let errors = decodingErrors(
      """
      deployment:
        mode: docker-local
        domain: 10.0.0.1
      services:
        redis:
          host: redis:6379
          port: 70000
          timeout: -1
          retries: many
      load_balancers:
        api:
          hosts:
            - api-01
          strategy: fastest
      gossip:
        bind: myhost
        encrypt: c2hvcnQ=
        profile: quick
      """)
    #expect(errors.count == 11)
    #expect(
      errors[0].hasPrefix(
        "c.yml:2:9: deployment.mode: 'docker-local' is not a deployment mode; did you mean 'docker_local'?"
      ))
    #expect(errors[1].hasPrefix("c.yml:3:11: deployment.domain: '10.0.0.1' is an IP address"))
    #expect(errors[2].hasPrefix("c.yml:6:11: services.redis.host: 'redis:6379' has a port"))
    #expect(errors[3].hasPrefix("c.yml:7:11: services.redis.port: '70000' is not a port"))
    #expect(errors[4].hasPrefix("c.yml:8:14: services.redis.timeout: '-1' is not a duration"))
    #expect(
      errors[5].hasPrefix("c.yml:9:14: services.redis.retries: 'many' is not a number of retries"))
    #expect(errors[6].hasPrefix("c.yml:13:9: load_balancers.api.hosts[0]: 'api-01' has no port"))
    #expect(
      errors[7].hasPrefix(
        "c.yml:14:15: load_balancers.api.strategy: 'fastest' is not a load-balancing strategy"))
    #expect(errors[8].hasPrefix("c.yml:16:9: gossip.bind: 'myhost' is not a numeric IP address"))
    #expect(errors[9].hasPrefix("c.yml:17:12: gossip.encrypt[0]: a key is 5 bytes"))
    #expect(errors[10].hasPrefix("c.yml:18:12: gossip.profile: 'quick' is not a gossip profile"))
  }

  @Test("a section of the wrong shape, or an empty value, is an error at the value")
  func wrongShapes() {
    #expect(
      decodingErrors("services:\n  - redis\n") == [
        "c.yml:2:3: services: expected a map (indented 'key: value' lines), found a list"
      ])
    #expect(
      decodingErrors("gossip:\n  join:\n    a: b\n") == [
        "c.yml:3:5: gossip.join: expected a list ('- item' lines, indented below the key), found a map"
      ])
    #expect(
      decodingErrors("services:\n  redis:\n    port:\n") == [
        "c.yml:3:5: services.redis.port: has no value; give one, or remove the key"
      ])
    #expect(
      decodingErrors("just a value\n").first?.hasPrefix(
        "c.yml:1:1: expected the configuration's sections") == true)
    #expect(decodingErrors("services:\n  AI_Stack: {}\n").count == 1)
    // `port:6379` alone under its key is YAML for the text "port:6379".
    #expect(
      decodingErrors("services:\n  redis:\n    port:6379\n") == [
        "c.yml:3:5: services.redis: expected a map (indented 'key: value' lines), found a single value; if 'port:6379' is a key and its value, put a space after ':' (port: 6379)"
      ])
    #expect(
      decodingErrors("gossip:x\n").first?.hasSuffix(
        "found a single value; if 'gossip:x' is a key and its value, put a space after ':' (gossip: x)"
      )
        == true)
    // A URL has no such hint.
    #expect(
      decodingErrors("services:\n  redis:\n    redis://cache:6379\n") == [
        "c.yml:3:5: services.redis: expected a map (indented 'key: value' lines), found a single value"
      ])
    // A comma-separated value of commas alone lists nothing: `encrypt: ","`
    // must not pass as a file without keys.
    #expect(
      decodingErrors("gossip:\n  encrypt: \",\"\n  join: \" , \"\n") == [
        "c.yml:2:12: gossip.encrypt: ',' lists nothing between its commas; give at least one item, or remove the key",
        "c.yml:3:9: gossip.join: ' , ' lists nothing between its commas; give at least one item, or remove the key",
      ])
  }

  @Test("service names must be lowercase DNS labels, with a corrected spelling suggested")
  func serviceNames() {
    #expect(
      decodingErrors("services:\n  AI_Stack:\n    port: 1\n") == [
        "c.yml:2:3: services: 'AI_Stack' is not a service name: use lowercase letters, digits and '-' (at most 63, starting and ending with a letter or digit), e.g. 'ai-stack'"
      ])
  }

  @Test("standard checks by scheme: redis PING, HTTP GET of the known path, TCP for TLS schemes")
  func standardChecks() throws {
    func kind(_ name: String, _ url: String) throws -> HealthCheck {
      HealthCheck.standard(forService: name, url: try ServiceURL(parsing: url))
    }
    #expect(try kind("redis", "redis://:6379").kind == .redis)
    #expect(try kind("backend", "http://:8001").kind == .http)
    #expect(try kind("backend", "http://:8001").path == "/api/system/health")
    #expect(try kind("web", "http://:80").path == "/")
    #expect(try kind("backend", "https://:8443").kind == .tcp)
    #expect(try kind("redis", "rediss://:6380").kind == .tcp)
    #expect(try kind("db", "postgres://:5432").kind == .tcp)
  }

  @Test("a load balancer without hosts only sets the strategy; an empty hosts list is an error")
  func loadBalancerHosts() throws {
    #expect(decodingErrors("load_balancers:\n  api:\n    strategy: first\n").isEmpty)
    let decoded = try ConfigurationLoader.decode(
      "load_balancers:\n  api:\n    strategy: random\n", file: "c.yml")
    #expect(decoded.loadBalancers.first?.strategy == .random)
    #expect(decoded.loadBalancers.first?.hosts.isEmpty == true)
    #expect(
      decodingErrors("load_balancers:\n  api:\n    hosts:\n    strategy: first\n").count == 1)
  }

  @Test("a check's timeout must be shorter than its interval, and only http checks take a path")
  func checkRules() {
    #expect(
      decodingErrors(
        """
        advertise:
          web:
            url: http://:80
            check:
              interval: 5s
              timeout: 5s
          cache:
            url: redis://:6379
            check:
              type: tcp
              path: /ping
          odd:
            url: tcp://:1
            check: sometimes
        """) == [
          "c.yml:6:16: advertise.web.check.timeout: 5s is not shorter than the interval (5s); a check must end before the next one starts",
          "c.yml:11:7: advertise.cache.check.path: applies to http checks only; remove it or set 'type: http'",
          "c.yml:14:12: advertise.odd.check: expected 'none' (no check) or the check's settings as indented 'key: value' lines, found 'sometimes'",
        ])
  }

  @Test("an advertised URL needs a port, and an empty host means the node")
  func advertisedURLs() {
    #expect(
      decodingErrors("advertise:\n  web: http://web/api\n") == [
        "c.yml:2:8: advertise.web: 'http://web/api' has no port; write http://web:PORT/api (an empty host means this node: http://:PORT/api)"
      ])
    #expect(
      decodingErrors("advertise:\n  web:\n    check: none\n").first?.contains("needs 'url:'")
        == true)
    #expect(decodingErrors("advertise:\n  web: http://:80\n").isEmpty)
  }

  @Test("advertised services that cannot fit in 512 bytes of node metadata are refused")
  func tagBudget() {
    var text = "advertise:\n"
    for index in 0..<12 {
      text += "  service-\(index): http://:80\(index)/a/rather/long/path/to/make/the/tags/big\n"
    }
    let errors = decodingErrors(text)
    #expect(errors.count == 1)
    #expect(errors.first?.hasPrefix("c.yml:1:1: advertise: the services' tags do not fit") == true)
  }

  @Test("durations are seconds or a number with a unit")
  func durations() throws {
    #expect(try DurationText.parse("10") == .seconds(10))
    #expect(try DurationText.parse("0.25") == .milliseconds(250))
    #expect(try DurationText.parse("500ms") == .milliseconds(500))
    #expect(try DurationText.parse("2m") == .seconds(120))
    #expect(try DurationText.parse("1h") == .seconds(3600))
    for bad in ["", "s", "-1", "0", "1e3", "ten", "5 s", "0.0001", "2d", "+3"] {
      #expect(throws: InvalidValue.self, "\(bad)") { try DurationText.parse(bad) }
    }
    #expect(DurationText.format(.seconds(60)) == "60s")
    #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
    #expect(DurationText.format(.milliseconds(20)) == "20ms")
  }

  @Test("host and port parsing takes names, IPv4, bracketed IPv6 and default ports")
  func hostAndPort() throws {
    #expect(
      try HostAndPort(parsing: "api-01.autobot.prod:8001")
        == HostAndPort(host: "api-01.autobot.prod", port: 8001))
    #expect(try HostAndPort(parsing: "[::1]:7946") == HostAndPort(host: "::1", port: 7946))
    #expect(
      try HostAndPort(parsing: "::1", defaultPort: 7946) == HostAndPort(host: "::1", port: 7946))
    #expect(
      try HostAndPort(parsing: "autobot_redis_1", defaultPort: 1)
        == HostAndPort(host: "autobot_redis_1", port: 1))
    for bad in [
      "api", "api:", "api:0", "api:65536", "-api:1", "a..b:1", "[::1", "[::1]x", "fe80::1:2:x:1",
      "a b:1",
    ] {
      #expect(throws: InvalidValue.self, "\(bad)") { try HostAndPort(parsing: bad) }
    }
  }

  @Test("'did you mean' suggests near words only")
  func suggestions() {
    #expect(Suggestion.closest(to: "tiemout", among: ["timeout", "retries"]) == "timeout")
    #expect(Suggestion.closest(to: "Load-Balancers", among: ["load_balancers"]) == "load_balancers")
    #expect(Suggestion.closest(to: "colour", among: ["host", "port"]) == nil)
  }
}
