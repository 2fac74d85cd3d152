import Testing

@testable import Rumor

@Suite("The HTTP/1.1 request parser")
struct HTTPRequestParserTests {
  private func outcome(_ text: String, body: Int = 65_536) -> HTTPRequestParser.Outcome {
    var parser = HTTPRequestParser(maximumHead: 1_024, maximumBody: body, maximumHeaders: 8)
    parser.append(Array(text.utf8))
    return parser.next()
  }

  private func status(_ text: String) -> Int? {
    if case .invalid(let status, _) = outcome(text) { return status }
    return nil
  }

  @Test("a request with a body, split into one-byte reads, comes out whole and once")
  func byteAtATime() {
    let text =
      "PUT /v1/agent/tags?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n"
    var parser = HTTPRequestParser()
    var requests: [HTTPRequest] = []
    for byte in text.utf8 {
      parser.append([byte])
      while case .request(let request) = parser.next() { requests.append(request) }
    }
    #expect(requests.count == 2)
    #expect(requests.first?.method == "PUT")
    #expect(requests.first?.body == Array("hello".utf8))
    #expect(requests.first?.query == ["x": "1"])
    #expect(requests.last?.path == "/")
    #expect(!parser.hasPartialRequest)
  }

  @Test("keep-alive is HTTP/1.1's default and HTTP/1.0's exception")
  func keepAlive() {
    guard case .request(let one) = outcome("GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
      case .request(let closing) = outcome("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
      case .request(let old) = outcome("GET / HTTP/1.0\r\n\r\n"),
      case .request(let oldKept) = outcome("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    else {
      Issue.record("a valid request was refused")
      return
    }
    #expect(one.keepAlive && !closing.keepAlive && !old.keepAlive && oldKept.keepAlive)
    // `Connection` is a list of options, in any case.
    guard
      case .request(let listed) = outcome(
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade , CLOSE\r\n\r\n"),
      case .request(let oldListed) = outcome(
        "GET / HTTP/1.0\r\nConnection: TE,Keep-Alive\r\n\r\n")
    else {
      Issue.record("a valid request was refused")
      return
    }
    #expect(!listed.keepAlive && oldListed.keepAlive)
  }

  @Test("hostile heads are refused with a fitting status, never guessed at")
  func hostile() {
    #expect(status("GET / HTTP/1.1\nHost: a\r\n\r\n") == 400)  // bare LF
    // A head with bare line feeds never ends: refused at once, not awaited.
    #expect(status("GET / HTTP/1.1\nHost: a\n") == 400)
    #expect(status("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n") == 400)  // bare CR
    #expect(status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)  // two spaces
    #expect(status("get / HTTP/1.1\r\nHost: a\r\n\r\n") == 400)  // lower-case method
    #expect(status("GET http://x/ HTTP/1.1\r\nHost: a\r\n\r\n") == 400)  // absolute form
    #expect(status("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505)
    #expect(status("GET / HTTP/1.1\r\n\r\n") == 400)  // no Host
    #expect(status("GET / HTTP/1.1\r\nHost : a\r\n\r\n") == 400)  // space before colon
    #expect(status("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n") == 400)
    #expect(status("GET / HTTP/1.1\r\nHost: a\r\nX: \u{1}\r\n\r\n") == 400)
    #expect(status("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n") == 400)
    #expect(
      status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx")
        == 400)
    #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n") == 400)
    #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n") == 400)
    #expect(
      status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n") == 400)
    #expect(status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") == 501)
    #expect(status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n") == 413)
    let manyHeaders = (0..<9).map { "X-\($0): y\r\n" }.joined()
    #expect(status("GET / HTTP/1.1\r\nHost: a\r\n\(manyHeaders)\r\n") == 431)
  }

  @Test("an oversized head is refused as soon as it passes the limit, terminated or not")
  func oversizedHead() {
    let long = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 2_000)
    #expect(status(long) == 431)
    #expect(status(long + "\r\n\r\n") == 431)
    // Below the limit and unterminated: more bytes are awaited.
    #expect(outcome("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
  }

  @Test("a body is awaited until Content-Length bytes came")
  func partialBody() {
    var parser = HTTPRequestParser()
    parser.append(Array("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab".utf8))
    #expect(parser.next() == .incomplete)
    #expect(parser.hasPartialRequest)
    parser.append(Array("cd".utf8))
    guard case .request(let request) = parser.next() else {
      Issue.record("the request did not come out")
      return
    }
    #expect(request.body == Array("abcd".utf8))
  }

  @Test("percent-decoding refuses broken escapes and non-UTF-8")
  func percentDecoding() {
    #expect(HTTPRequestParser.percentDecoded("a%20b+c", plusIsSpace: true) == "a b c")
    #expect(HTTPRequestParser.percentDecoded("a+b", plusIsSpace: false) == "a+b")
    #expect(HTTPRequestParser.percentDecoded("%4", plusIsSpace: false) == nil)
    #expect(HTTPRequestParser.percentDecoded("%zz", plusIsSpace: false) == nil)
    #expect(HTTPRequestParser.percentDecoded("%FF", plusIsSpace: false) == nil)
    #expect(HTTPRequest(method: "GET", target: "/x?a=%4").query == nil)
  }
}
