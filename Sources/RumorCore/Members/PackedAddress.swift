import RumorWire

/// A member's address as its record keeps it: an IPv4 address and its
/// port in one word, any other address (IPv6) in a shared box. 9 bytes
/// instead of `NodeAddress`'s 19, which takes a record's stride 8 bytes
/// down (`MemberTable.Record`, now 56 bytes): one per member per node, so
/// 0.8 GB of a 10,000-node simulation.
enum PackedAddress: Sendable {
  /// `ip << 16 | port`.
  case ipv4(UInt64)
  /// Anything that does not pack into a word.
  case boxed(Box)

  /// An address kept behind a reference.
  final class Box: Sendable {
    let address: NodeAddress
    init(_ address: NodeAddress) { self.address = address }
  }

  /// Packs `address`; an IPv4 address packs only if unpacking gives it
  /// back exactly, else it is boxed.
  init(_ address: NodeAddress) {
    if address.isIPv4 {
      let ip = address.withIPBytes { bytes in
        bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
      }
      let packed = PackedAddress.ipv4(ip << 16 | UInt64(address.port))
      if packed.address == address {
        self = packed
        return
      }
    }
    self = .boxed(Box(address))
  }

  /// The address.
  var address: NodeAddress {
    switch self {
    case .ipv4(let word):
      NodeAddress(
        ipv4: UInt8(truncatingIfNeeded: word >> 40), UInt8(truncatingIfNeeded: word >> 32),
        UInt8(truncatingIfNeeded: word >> 24), UInt8(truncatingIfNeeded: word >> 16),
        port: UInt16(truncatingIfNeeded: word))
    case .boxed(let box):
      box.address
    }
  }
}
