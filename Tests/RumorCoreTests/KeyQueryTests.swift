import RumorWire
import Testing

@testable import RumorCore

@Suite("Serf's key queries on a ClusterNode")
struct KeyQueryTests {
  let old = [UInt8](repeating: 1, count: 32)
  let new = [UInt8](repeating: 2, count: 32)

  func node(encrypted: Bool = true) throws -> ClusterNode {
    let wire = encrypted ? WireOptions(keyring: try Keyring(keys: [old])) : WireOptions()
    var node = try ClusterNode(name: "n0", address: address(0), wire: wire, seed: 1)
    _ = node.start(now: at(0))
    return node
  }

  /// Sends key query `kind` to `node` and returns its answer.
  func ask(_ kind: KeyQuery, key: [UInt8] = [], of node: inout ClusterNode, time: UInt64)
    throws -> SerfKeyResponse?
  {
    let query = SerfMessage.query(
      SerfQuery(
        lamportTime: time, id: UInt32(time), addr: [127, 0, 0, 9], port: 7000, sourceNode: "admin",
        timeoutNanoseconds: 5_000_000_000, name: kind.rawValue,
        payload: kind == .list ? [] : SerfKeyRequest(key: key).encodedPayload())
    ).encoded()
    let codec = PacketCodec(options: WireOptions(keyring: node.swim.keyring))
    let packet = try codec.seal(
      Message.user(UserMessage(payload: query)).encoded(), checksum: false)
    let effects = node.receivePacket(packet, from: address(9), now: at(1))
    for effect in effects {
      guard case .send(let bytes, let target) = effect,
        target == NodeAddress(ipv4: 127, 0, 0, 9, port: 7000)
      else { continue }
      for decoded in codec.decode(bytes).messages {
        guard case .user(let user) = decoded.message,
          case .queryResponse(let response) = try SerfMessage(decoding: user.payload[...])
        else { continue }
        return try SerfKeyResponse(decoding: response.payload)
      }
    }
    return nil
  }

  @Test("install, use, remove and list change and report the keyring")
  func rotation() throws {
    var node = try node()
    #expect(try ask(.install, key: new, of: &node, time: 5)?.result == true)
    #expect(node.swim.keyring?.keys == [old, new])
    #expect(try ask(.use, key: new, of: &node, time: 6)?.result == true)
    #expect(node.swim.keyring?.primaryKey == new)
    // The primary cannot be removed; the old one can.
    #expect(try ask(.remove, key: new, of: &node, time: 7)?.result == false)
    #expect(try ask(.remove, key: old, of: &node, time: 8)?.result == true)
    let list = try #require(try ask(.list, of: &node, time: 9))
    #expect(list.keys == [Base64.encode(new)] && list.primaryKey == Base64.encode(new))
    #expect(node.serf?.counters.keyChanges == 3)
  }

  @Test("a bad key or an unencrypted node answers false with a reason that names no key")
  func refusals() throws {
    var encrypted = try node()
    let bad = try #require(try ask(.install, key: [1, 2, 3], of: &encrypted, time: 5))
    #expect(!bad.result && bad.message.contains("16, 24 or 32"))
    var plain = try node(encrypted: false)
    let answer = try #require(try ask(.install, key: new, of: &plain, time: 5))
    #expect(!answer.result && answer.message.contains("encryption not enabled"))
    #expect(plain.swim.keyring == nil)
  }

  @Test("a keyring its owner cannot save is the key query's failure; the keyring changed anyway")
  func saveFailure() throws {
    var node = try node()
    node.keyringSaver = { keys in
      keys.count == 2 ? "keyring file k.json cannot be written (k.json.tmp: Is a directory)" : nil
    }
    let answer = try #require(try ask(.install, key: new, of: &node, time: 5))
    #expect(!answer.result)
    #expect(answer.message == "keyring file k.json cannot be written (k.json.tmp: Is a directory)")
    #expect(node.swim.keyring?.keys == [old, new], "as in Serf, the change stands")
    // A list does not save; a later change that saves answers true.
    #expect(try ask(.list, of: &node, time: 6)?.result == true)
    #expect(try ask(.remove, key: new, of: &node, time: 7)?.result == true)
  }

  @Test("base64 round-trips and refuses what is not standard base64")
  func base64() {
    for length in 0..<10 {
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
      #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
    #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
    #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
    for text in ["Zm9", "Zm9v!mFy", "Z===", "=m9v", "Zm=v"] { #expect(Base64.decode(text) == nil) }
  }
}
