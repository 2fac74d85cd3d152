// libFuzzer target `dns`: the DNS interface's whole path for one datagram:
// `DNSMessage.decode` on the input, then, for a query, `DNSAnswerer`'s
// response (over a fixed directory) encoded at 512 bytes and without a
// limit. It must never trap; a decoded message must encode and decode
// again to the same message (the codec agrees with itself); an encoded
// response must decode, and respect its size limit.

import RumorWire

@testable import Rumor

/// The answerer every input goes to: a few services and nodes.
let dnsFuzzAnswerer = DNSAnswerer(
  domain: DNSName("rumor.") ?? .root, ttl: 0,
  directory: DNSDirectory(
    service: { name in
      switch name {
      case "web":
        (1...40).map {
          DNSDirectory.Target(
            node: "node-\($0)", host: "10.0.0.\($0)", port: 8000, isNodeAddress: $0 % 2 == 0)
        }
      case "db": [.init(node: "db", host: "db.internal", port: 5432, isNodeAddress: false)]
      case "idle": []
      default: nil
      }
    },
    node: { name in
      name.hasPrefix("node-") ? [NodeAddress(ipv4: 10, 0, 0, 1, port: 7946)] : nil
    }))

/// The `dns` target.
func fuzzDNS(_ input: [UInt8]) {
  guard let message = try? DNSMessage.decode(input) else { return }
  guard let again = try? DNSMessage.decode(message.encode()), again == message else {
    fatalError("a decoded message did not survive encode and decode")
  }
  guard let response = dnsFuzzAnswerer.respond(to: message) else { return }
  let limited = response.encode(maximumSize: 512)
  // Header and questions are always written; a query's question fits 512
  // unless the name is near 255 bytes, which a limit cannot change.
  let questions = response.questions.reduce(12) { $0 + $1.name.wireLength + 4 }
  if limited.count > max(512, questions + 11) {
    fatalError("a response of \(limited.count) bytes passed its 512-byte limit")
  }
  for bytes in [limited, response.encode()] {
    guard (try? DNSMessage.decode(bytes)) != nil else {
      fatalError("a response did not decode: \(bytes)")
    }
  }
}

/// Example queries.
let dnsSeeds: [[UInt8]] = [
  ("web.service.rumor.", DNSRecordType.a), ("_web._tcp.service.rumor.", .srv),
  ("node-1.node.rumor.", .a), ("0a000001.addr.rumor.", .a), ("nope.service.rumor.", .aaaa),
  ("example.com.", .a), ("db.service.rumor.", .srv),
].flatMap { name, type -> [[UInt8]] in
  guard let parsed = DNSName(name) else { return [] }
  let plain = DNSMessage(
    id: 1, recursionDesired: true, questions: [DNSQuestion(name: parsed, type: type)])
  var edns = plain
  edns.additionals = [.opt(udpSize: 4096)]
  return [plain.encode(), edns.encode()]
}
