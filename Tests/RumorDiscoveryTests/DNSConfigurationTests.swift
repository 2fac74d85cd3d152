import RumorCore
import Testing

@testable import RumorDiscovery

@Suite("The dns section, RUMOR_DNS and RUMOR_DNS_DOMAIN")
struct DNSConfigurationTests {
  @Test("off by default: no address, the domain rumor., TTL 0, each from the built-in default")
  func defaults() throws {
    let effective = try effectiveConfiguration("", [:])
    #expect(effective.dns.address == nil)
    #expect(effective.dns.domain == "rumor.")
    #expect(effective.dns.ttl == 0)
    #expect(effective.origins["dns.address"] == .builtIn)
    #expect(effective.origins["dns.domain"] == .builtIn)
  }

  @Test("the file sets address, domain and TTL; a variable beats the file and is the origin")
  func fileAndVariables() throws {
    let file = "dns:\n  address: 127.0.0.1:8600\n  domain: cluster.example\n  ttl: 5\n"
    let fromFile = try effectiveConfiguration(file, [:])
    #expect(fromFile.dns.address?.description == "127.0.0.1:8600")
    #expect(fromFile.dns.domain == "cluster.example.")
    #expect(fromFile.dns.ttl == 5)
    #expect(fromFile.origins["dns.ttl"] == .file("f.yml", SourcePosition(line: 4, column: 8)))
    let overridden = try effectiveConfiguration(
      file, ["RUMOR_DNS": "off", "RUMOR_DNS_DOMAIN": "other."])
    #expect(overridden.dns.address == nil)
    #expect(overridden.dns.domain == "other.")
    #expect(overridden.origins["dns.address"] == .environment("RUMOR_DNS"))
    #expect(overridden.environment.contains("RUMOR_DNS_DOMAIN"))
  }

  @Test("bad values are errors naming the key or variable")
  func badValues() {
    #expect(
      decodingErrors("dns:\n  address: localhost:53\n  ttl: -1\n  domian: x\n").count == 3)
    #expect(decodingErrors("dns:\n  address: 127.0.0.1\n").first?.contains("has no port") == true)
    #expect(
      environmentErrors(["RUMOR_DNS": "dns.example:53"]).first?.contains("RUMOR_DNS") == true)
    #expect(
      environmentErrors(["RUMOR_DNS_DOMAIN": "bad..domain"]).first?.contains("RUMOR_DNS_DOMAIN")
        == true)
    // The value as written, not with its final dot taken off ("'.' is not
    // a host name" for "..", before 2026-12-07).
    #expect(decodingErrors("dns:\n  domain: ..\n").first?.contains("'..' is not") == true)
  }
}
