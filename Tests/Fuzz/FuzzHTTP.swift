// libFuzzer target `http`: the HTTP/1.1 request parser
// (`HTTPRequestParser`), fed the input in pieces as reads would bring it,
// then the route table over what comes out. It must never trap, and the
// requests it finds must be the same however the bytes are split.

@testable import Rumor

/// The `http` target.
func fuzzHTTP(_ input: [UInt8]) {
  // The first byte picks the read size, the rest is the stream.
  guard let first = input.first else { return }
  let bytes = Array(input.dropFirst())
  let whole = requests(in: bytes, readSize: bytes.count)
  let pieces = requests(in: bytes, readSize: Int(first % 16) + 1)
  if whole != pieces {
    fatalError("splitting the bytes changed the requests: \(whole) vs \(pieces)")
  }
  for outcome in whole {
    guard case .request(let request) = outcome else { continue }
    var router = HTTPRouter()
    router.add("GET", "/v1/services/{name}") { request in
      .response(.json(.string(request.parameters["name"] ?? "")))
    }
    _ = router.reply(to: request)
    _ = request.query
  }
}

/// What the parser gives, reading `readSize` bytes at a time.
private func requests(in bytes: [UInt8], readSize: Int) -> [HTTPRequestParser.Outcome] {
  var parser = HTTPRequestParser(maximumHead: 4_096, maximumBody: 4_096, maximumHeaders: 32)
  var outcomes: [HTTPRequestParser.Outcome] = []
  var offset = 0
  while offset < bytes.count {
    let end = min(bytes.count, offset + max(1, readSize))
    parser.append(bytes[offset..<end])
    offset = end
    loop: while true {
      let outcome = parser.next()
      switch outcome {
      case .incomplete: break loop
      case .invalid:
        outcomes.append(outcome)
        return outcomes
      case .request:
        outcomes.append(outcome)
      }
    }
  }
  return outcomes
}

/// Example requests (the first byte is the read size).
let httpSeeds: [[UInt8]] = [
  "\u{3}GET /v1/members?index=3&wait=5s HTTP/1.1\r\nHost: a\r\n\r\n",
  "\u{0}HEAD / HTTP/1.0\r\n\r\n",
  "\u{7}PUT /v1/agent/tags HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n{}\nGET / HTTP/1.1\r\nHost: b\r\n\r\n",
  "\u{1}GET /v1/services/a%20b HTTP/1.1\r\nHost",
].map { Array($0.utf8) }
