import RumorWire
import Testing

@testable import Rumor

@Suite("The agent's cluster page")
struct ClusterPageTests {
  private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  @Test("SHA-256 gives FIPS 180-4's test vectors")
  func sha256Vectors() {
    #expect(
      hex(SHA256Digest.digest([]))
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      hex(SHA256Digest.digest(Array("abc".utf8)))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(
      hex(
        SHA256Digest.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
        == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(SHA256Digest.base64Digest("abc") == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
  }

  @Test("the page is HTML with a strict policy naming its own script's and style's hashes")
  func policy() {
    let response = ClusterPage.response
    #expect(response.status == 200)
    #expect(response.contentType == "text/html; charset=utf-8")
    let policy = response.headers["Content-Security-Policy"] ?? ""
    #expect(policy.contains("script-src 'sha256-\(SHA256Digest.base64Digest(ClusterPage.script))'"))
    #expect(policy.contains("style-src 'sha256-\(SHA256Digest.base64Digest(ClusterPage.style))'"))
    #expect(!policy.contains("unsafe"))
    let html = String(decoding: response.body, as: UTF8.self)
    #expect(html.contains("<script>\(ClusterPage.script)</script>"))
    #expect(html.contains("<style>\(ClusterPage.style)</style>"))
  }

  @Test("the script puts the cluster's data into the DOM as text only")
  func noMarkupFromData() {
    for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("] {
      #expect(!ClusterPage.script.contains(sink), "the page's script uses \(sink)")
    }
  }
}
