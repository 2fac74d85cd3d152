// libFuzzer target `stream`: one inbound stream, as the node loop handles
// it. The bytes arrive in chunks (sizes drawn from the input's first byte);
// after each chunk `StreamFrameScanner` scans everything received so far,
// and once it finds the message whole (or unframeable) the node's
// `handleStream` decodes and answers it, on a copy of the `receive`
// target's node that holds members.
//
// Besides never trapping or hanging, the scanner and the decoder must
// agree: the scanner must not call a message whole that the decoder says
// needs more bytes (the loop would close a stream that was fine), its
// `needMore(atLeast:)` must ask for more than it has, and a stream the
// decoder takes as a whole message must not be left waiting by the
// scanner (the loop would wait for bytes that never come).

import RumorWire

@testable import RumorCore

/// The `stream` target: `chunking | stream bytes…`.
func fuzzStream(_ input: [UInt8]) {
  guard let chunking = input.first else { return }
  let stream = Array(input.dropFirst())
  let fixture = receiveFixture
  var random = SplitMix64(seed: UInt64(chunking))
  var scanner = StreamFrameScanner()
  var received: [UInt8] = []
  var whole = false
  var position = 0
  while position < stream.count {
    // Chunks of 1 byte up to 2^(chunking % 13) bytes.
    let largest = 1 << Int(chunking % 13)
    let size = 1 + Int(random.next() % UInt64(largest))
    let end = min(position + size, stream.count)
    received += stream[position..<end]
    position = end
    do {
      switch try scanner.scan(received) {
      case .needMore(let needed):
        if needed <= received.count {
          fatalError("scanner needs \(needed) bytes but has \(received.count)")
        }
        continue
      case .complete(let length):
        if length <= 0 || length > received.count {
          fatalError("scanner claims a message of \(length) bytes in \(received.count)")
        }
        whole = true
        var node = fixture.node
        let (answer, effects) = node.handleStream(
          received, from: fixture.senders[2], now: fixture.now)
        if case .needMoreBytes = answer {
          fatalError(
            "scanner claims a whole message of \(length) bytes, the decoder needs more (\(received.count) received)"
          )
        }
        if case .reply(let reply) = answer { consume(reply) }
        consume(effects)
      }
    } catch {
      // Not framed as a stream message: the loop hands it to the core,
      // which says what is wrong.
      whole = true
      var node = fixture.node
      let (answer, effects) = node.handleStream(
        received, from: fixture.senders[2], now: fixture.now)
      if case .reply(let reply) = answer { consume(reply) }
      consume(effects)
    }
    if whole { break }
  }
  if !whole, !received.isEmpty {
    // The scanner still waits: the decoder must not see a whole message.
    var node = fixture.node
    let (answer, effects) = node.handleStream(received, from: fixture.senders[2], now: fixture.now)
    switch answer {
    case .needMoreBytes:
      break
    case .reply, .close:
      // An error answer is fine (the decoder may fail on what it has);
      // a message it could act on is the scanner stalling a whole one.
      if node.swim.counters.streamsAnswered > fixture.node.swim.counters.streamsAnswered {
        fatalError("the decoder answers a message of \(received.count) bytes the scanner waits on")
      }
    }
    consume(effects)
  }
}
