/// CRC-32/IEEE (reflected polynomial 0xEDB88320, initial value and final
/// xor 0xFFFFFFFF), the checksum zlib and Go's `crc32.ChecksumIEEE` compute.
///
/// memberlist puts it in front of UDP packets for peers that speak protocol
/// 5: `0x0c`, the checksum big-endian, then the payload.
public enum CRC32 {
  /// The checksum of `bytes`.
  public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
    let table = crcTable
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
      crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8)
    }
    return crc ^ 0xffff_ffff
  }

  /// Length of the CRC header: the type byte and four checksum bytes.
  public static let headerSize = 5

  /// Prepends the CRC header to `payload`.
  public static func wrap(_ payload: [UInt8]) -> [UInt8] {
    var framed: [UInt8] = []
    framed.reserveCapacity(payload.count + headerSize)
    framed.append(MessageType.hasCRC.rawValue)
    let crc = checksum(payload)
    framed.append(UInt8(truncatingIfNeeded: crc >> 24))
    framed.append(UInt8(truncatingIfNeeded: crc >> 16))
    framed.append(UInt8(truncatingIfNeeded: crc >> 8))
    framed.append(UInt8(truncatingIfNeeded: crc))
    framed.append(contentsOf: payload)
    return framed
  }

  /// Checks and removes a CRC header that starts at the reader's position.
  /// Returns the checksum; the reader is left at the payload.
  static func unwrap(_ reader: inout MessagePackReader) throws(WireError) -> UInt32 {
    let start = reader.position
    _ = try reader.readByte()
    let expected = try reader.readBigEndian(UInt32.self)
    let actual = checksum(reader.remainder)
    guard expected == actual else {
      throw WireError(
        .checksum,
        "CRC-32 mismatch: header says \(hex32(expected)), payload has \(hex32(actual))",
        at: start)
    }
    return expected
  }
}

func hex32(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// The byte-wise lookup table for the reflected IEEE polynomial.
private let crcTable: [UInt32] = (0..<256).map { index in
  var crc = UInt32(index)
  for _ in 0..<8 {
    crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1
  }
  return crc
}
