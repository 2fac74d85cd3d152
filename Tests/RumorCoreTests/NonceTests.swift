import RumorWire
import Testing

@testable import RumorCore

/// AES-GCM nonces come from the operating system, never from the node's
/// seeded protocol generator: a fixed seed (the demo uses fixed seeds) must
/// not repeat a nonce under the same key.
@Suite("Nonces")
struct NonceTests {
  let keyring: Keyring

  init() throws {
    keyring = try Keyring(keys: [[UInt8](repeating: 7, count: 32)])
  }

  /// The nonces of every packet and stream a node with `seed` sends in its
  /// first seconds with three members.
  private func nonces(seed: UInt64, source: NonceSource = .system) throws -> [[UInt8]] {
    var node = try SWIMNode(
      name: "n0", address: address(0), settings: SWIMSettings(profile: .lan),
      wire: WireOptions(keyring: keyring, nonceSource: source), seed: seed)
    var effects = node.start(now: at(0))
    for index in 1...3 {
      effects += node.receive(.alive(alive(index)), from: address(index), now: at(0))
    }
    effects += run(&node, from: 0, to: 5)
    return effects.compactMap { effect -> [UInt8]? in
      // An encrypted packet is `version | nonce (12) | ...` (no label here);
      // a stream message has a 5-byte encrypt header in front of that.
      switch effect {
      case .send(let bytes, _) where bytes.count > 13: Array(bytes[1..<13])
      case .openStream(_, _, let request, _, _) where request.count > 18: Array(request[6..<18])
      default: nil
      }
    }
  }

  @Test("two nodes with the same seed and key, fed the same input, send different nonces")
  func sameSeedDifferentNonces() throws {
    let first = try nonces(seed: 42)
    let second = try nonces(seed: 42)
    #expect(first.count >= 5)
    #expect(first.count == second.count)
    // Same protocol decisions, same packets, yet no nonce in common.
    #expect(Set(first).isDisjoint(with: Set(second)))
    #expect(Set(first).count == first.count)
  }

  @Test("a seeded nonce source replays byte for byte (for the simulator)")
  func seededSourceReplays() throws {
    let first = try nonces(seed: 42, source: .seeded(9))
    let second = try nonces(seed: 42, source: .seeded(9))
    #expect(!first.isEmpty)
    #expect(first == second)
    #expect(Set(first).count == first.count)
  }

  // A million full seals take about 11 s in a debug build, so the million
  // is drawn from the nonce source every seal uses, and a tenth of it goes
  // through the whole codec.
  @Test("no nonce repeats over 1,000,000 draws of the system source")
  func noRepeatOverAMillionNonces() throws {
    var seen = Set<[UInt8]>(minimumCapacity: 1_000_000)
    for _ in 0..<1_000_000 {
      seen.insert(try NonceSource.system.next())
    }
    #expect(seen.count == 1_000_000)
    #expect(seen.allSatisfy { $0.count == 12 })
  }

  @Test("no nonce repeats over 100,000 seals through the packet codec")
  func noRepeatOverSeals() throws {
    let codec = PacketCodec(options: WireOptions(keyring: keyring, compression: false))
    let payload: [UInt8] = [0x01]
    var seen = Set<[UInt8]>(minimumCapacity: 100_000)
    for _ in 0..<100_000 {
      let packet = try codec.seal(payload, checksum: false)
      seen.insert(Array(packet[1..<13]))
    }
    #expect(seen.count == 100_000)
  }
}
