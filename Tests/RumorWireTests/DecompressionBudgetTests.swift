import Testing

@testable import RumorWire

@Suite("The per-datagram decompression budget")
struct DecompressionBudgetTests {
  @Test("an envelope cut off at the budget uses it up: the next ones are not decompressed at all")
  func cutOffEnvelopeSpendsTheBudget() throws {
    // Eight envelopes of 2 MiB of zeros each fit in one datagram; before,
    // every one of them was decompressed up to the whole budget again.
    let envelope = Compression.wrap([UInt8](repeating: 0, count: 2 << 20))
    let packet = PacketCodec().decode(try Compound.encode(Array(repeating: envelope, count: 8)))
    #expect(packet.messages.isEmpty)
    #expect(packet.errors.count == 8)
    #expect(packet.errors.allSatisfy { $0.kind == .tooLarge })
    #expect(packet.errors.first?.reason.contains("LZW output exceeds") == true)
    #expect(
      packet.errors.dropFirst().allSatisfy {
        $0.reason.contains("packet decompresses to more than")
      }
    )
  }
}
