import RumorWire
import Testing

@testable import RumorCore

/// Inputs the `stream` and `receive` fuzz targets (Tests/Fuzz, see
/// docs/fuzzing.md) found, kept byte for byte.
@Suite("Fuzzer regressions: streams a node with members must answer")
struct StreamFuzzRegressionTests {
  @Test("a whole compressed stream message with LZW data cut short gets an error answer")
  func compressedStreamWithoutEndCode() throws {
    // fuzz-out/artifacts/stream/crash-7172280fec12bf8101b7e4ea6ccb015ca47229a0
    // without its first byte (the chunking). Before the fix the node
    // answered `.needMoreBytes` although the scanner had found the message
    // whole, so the peer got no error and the core counted nothing.
    let input = hex(
      "0982a4416c676f00a3427566da00bb000d0c22a5e44d1a37c24a397943"
        + "a6cc9c01acaacc2923670a9d3074ca3029e306c0215241c89091434a0100"
        + "000256257133268c1c3718d3bc7123805493321781917212a64d19543edb"
        + "88a1d8020629286fe4d069f64141298b18cb001865658e1b53010a081050"
        + "80c0c790234b9e1ca092a54b987464d2b489338c4e9e3e8196114a34c6d1"
        + "a44b9b3ebd98716ad5ab59b776fd2a92a4490004cab67c197366cd9b3977"
        + "2400000000000000f6fc1974a89c1632ee2a65ea146a5faa56b16ae54a20"
        + "20")
    var node = try makeNode(knowing: 10)
    let (answer, effects) = node.handleStream(input, from: address(1), now: at(1))
    guard case .reply(let reply) = answer else {
      Issue.record("answered \(answer), expected an error reply")
      return
    }
    let decoded = try StreamCodec().decode(reply[...], allowLabel: false)
    guard case .error = decoded.message else {
      Issue.record("replied \(decoded.message), expected an error message")
      return
    }
    #expect(effects.isEmpty)
    #expect(node.counters.decodeErrors == 1)
  }
}

extension StreamFuzzRegressionTests {
  @Test("a whole push-pull whose announced states are single bytes gets an error answer")
  func pushPullWithTinyStates() throws {
    // fuzz-out/artifacts/stream/crash-98b288e0fb88197df3d4d5ff377ccd8c030ce772
    // without its first byte. Before the fix the node answered
    // `.needMoreBytes` (nine states cannot fit in 12 bytes) although the
    // scanner had found the message whole at 13 bytes.
    let input = hex("06 91 09 06 91 49 49 fe ff ff ff ff ff ff ff")
    var node = try makeNode(knowing: 10)
    let (answer, effects) = node.handleStream(input, from: address(1), now: at(1))
    guard case .reply(let reply) = answer else {
      Issue.record("answered \(answer), expected an error reply")
      return
    }
    let decoded = try StreamCodec().decode(reply[...], allowLabel: false)
    guard case .error = decoded.message else {
      Issue.record("replied \(decoded.message), expected an error message")
      return
    }
    #expect(effects.isEmpty)
    #expect(node.counters.decodeErrors == 1)
    #expect(node.memberCount == 11)
  }
}

/// The bytes of a hex string (spaces allowed); the tests' inputs are
/// written as `xxd -p` prints them.
private func hex(_ text: String) -> [UInt8] {
  var bytes: [UInt8] = []
  var high: UInt8? = nil
  for character in text.unicodeScalars {
    guard let digit = UInt8(String(character), radix: 16) else { continue }
    if let first = high {
      bytes.append(first << 4 | digit)
      high = nil
    } else {
      high = digit
    }
  }
  return bytes
}
