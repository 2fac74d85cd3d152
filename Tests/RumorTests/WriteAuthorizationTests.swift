import Rumor
import Testing

@Suite("Who may write to the agent API")
struct WriteAuthorizationTests {
  private func request(from client: NodeAddress?, authorization: String? = nil) -> HTTPRequest {
    var headers: [String: String] = [:]
    headers["authorization"] = authorization
    return HTTPRequest(method: "PUT", target: "/v1/agent/tags", headers: headers, client: client)
  }

  private let loopback = NodeAddress(ipv4: 127, 0, 0, 2, port: 5000)
  private let remote = NodeAddress(ipv4: 10, 1, 2, 3, port: 5000)

  @Test("without a token, loopback clients may write and others may not")
  func noToken() {
    let rule = WriteAuthorization(token: nil)
    #expect(rule.refusal(for: request(from: loopback)) == nil)
    #expect(rule.refusal(for: request(from: remote))?.status == 403)
    #expect(rule.refusal(for: request(from: nil))?.status == 403)
    #expect(WriteAuthorization(token: "").token == nil)
  }

  @Test("with a token, every write needs it, from loopback too")
  func token() {
    let rule = WriteAuthorization(token: "s3cret")
    #expect(rule.refusal(for: request(from: remote, authorization: "Bearer s3cret")) == nil)
    #expect(rule.refusal(for: request(from: loopback))?.status == 401)
    #expect(rule.refusal(for: request(from: remote, authorization: "Bearer s3cre"))?.status == 403)
    #expect(
      rule.refusal(for: request(from: remote, authorization: "Bearer s3cretX"))?.status == 403)
    #expect(rule.refusal(for: request(from: remote, authorization: "Basic s3cret"))?.status == 401)
    #expect(
      rule.refusal(for: request(from: loopback, authorization: "bearer s3cret"))?.status == 401)
  }

  @Test("the comparison is exact for every length and difference")
  func constantTime() {
    let secret = Array("abcdef".utf8)
    #expect(WriteAuthorization.constantTimeEqual(secret, secret))
    #expect(!WriteAuthorization.constantTimeEqual([], secret))
    #expect(!WriteAuthorization.constantTimeEqual(Array("abcdeg".utf8), secret))
    #expect(!WriteAuthorization.constantTimeEqual(Array("abcdefg".utf8), secret))
    #expect(!WriteAuthorization.constantTimeEqual(Array("abcde".utf8), secret))
    #expect(WriteAuthorization.constantTimeEqual([], []))
  }

  @Test("loopback is 127.0.0.0/8, ::1 and IPv4-mapped loopback")
  func loopbackAddresses() {
    #expect(WriteAuthorization.isLoopback(NodeAddress(ipv4: 127, 9, 9, 9, port: 1)))
    #expect(!WriteAuthorization.isLoopback(NodeAddress(ipv4: 128, 0, 0, 1, port: 1)))
    #expect(
      WriteAuthorization.isLoopback(NodeAddress(ip: Array(repeating: 0, count: 15) + [1], port: 1)!)
    )
    let mapped: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1]
    #expect(WriteAuthorization.isLoopback(NodeAddress(ip: mapped, port: 1)!))
  }
}
