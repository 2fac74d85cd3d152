// libFuzzer target `http`: the request parser of the HTTP responder
// (`HTTPResponder.parse`, what the responder runs on the bytes a client
// sent so far). It must never trap, and it must find no request in bytes
// that hold no complete head (no CR LF CR LF).

@testable import Rumor

/// The `http` target.
func fuzzHTTP(_ input: [UInt8]) {
  let parsed = HTTPResponder.parse(input)
  let terminated =
    input.count >= 4
    && (0...(input.count - 4)).contains { start in
      input[start] == 13 && input[start + 1] == 10 && input[start + 2] == 13
        && input[start + 3] == 10
    }
  switch parsed {
  case nil:
    if terminated { fatalError("a terminated head was reported incomplete") }
  case .some(nil):
    if !terminated { fatalError("an unterminated head was rejected as not HTTP") }
  case .some(.some(let request)):
    if !terminated { fatalError("an unterminated head was parsed") }
    var total = request.method.utf8.count &+ request.target.utf8.count &+ request.path.utf8.count
    for (name, value) in request.headers { total &+= name.utf8.count &+ value.utf8.count }
    if total == -1 { print(request) }
  }
}

/// Example requests.
let httpSeeds: [[UInt8]] = [
  "GET /health HTTP/1.1\r\nHost: a\r\n\r\n",
  "HEAD / HTTP/1.0\r\n\r\n",
  "POST /x?y=1 HTTP/1.1\r\nContent-Length: 3\r\nX: : :\r\n\r\nabc",
  "GET / HTTP/1.1\r\nHost",
].map { Array($0.utf8) }
