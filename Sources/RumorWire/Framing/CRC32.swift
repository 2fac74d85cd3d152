/// CRC-32/IEEE (reflected polynomial 0xEDB88320, initial value and final
/// xor 0xFFFFFFFF), the checksum zlib and Go's `crc32.ChecksumIEEE` compute.
///
/// memberlist puts it in front of UDP packets for peers that speak protocol
/// 5: `0x0c`, the checksum big-endian, then the payload.
public enum CRC32 {
  /// The checksum of `bytes`.
  public static func checksum(_ bytes: [UInt8]) -> UInt32 {
    checksum(bytes[...])
  }

  /// The checksum of `bytes`, eight bytes per step ("slicing by 8").
  public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    let tables = crcTables
    var crc: UInt32 = 0xffff_ffff
    var index = bytes.startIndex
    let end = bytes.endIndex
    while end - index >= 8 {
      let low =
        crc
        ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
          | UInt32(bytes[index + 3]) << 24)
      crc =
        tables[7 * 256 + Int(low & 0xff)] ^ tables[6 * 256 + Int((low >> 8) & 0xff)]
        ^ tables[5 * 256 + Int((low >> 16) & 0xff)] ^ tables[4 * 256 + Int(low >> 24)]
        ^ tables[3 * 256 + Int(bytes[index + 4])] ^ tables[2 * 256 + Int(bytes[index + 5])]
        ^ tables[1 * 256 + Int(bytes[index + 6])] ^ tables[Int(bytes[index + 7])]
      index += 8
    }
    while index < end {
      crc = tables[Int((crc ^ UInt32(bytes[index])) & 0xff)] ^ (crc >> 8)
      index += 1
    }
    return crc ^ 0xffff_ffff
  }

  /// Length of the CRC header: the type byte and four checksum bytes.
  public static let headerSize = 5

  /// Fills in the CRC header in the first `headerSize` bytes of `framed`
  /// (left free for it) over the rest: the bytes `wrap` gives for that rest.
  static func fillHeader(_ framed: inout [UInt8]) {
    guard framed.count >= headerSize else { return }
    let crc = checksum(framed[headerSize...])
    framed[0] = MessageType.hasCRC.rawValue
    framed[1] = UInt8(truncatingIfNeeded: crc >> 24)
    framed[2] = UInt8(truncatingIfNeeded: crc >> 16)
    framed[3] = UInt8(truncatingIfNeeded: crc >> 8)
    framed[4] = UInt8(truncatingIfNeeded: crc)
  }

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

/// Eight lookup tables for the reflected IEEE polynomial: table 0 is the
/// classic byte-wise one; table k gives the effect of a byte followed by k
/// zero bytes, which lets the loop fold eight bytes at a time.
private let crcTables: [UInt32] = {
  var tables = [UInt32](repeating: 0, count: 8 * 256)
  for index in 0..<256 {
    var crc = UInt32(index)
    for _ in 0..<8 {
      crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1
    }
    tables[index] = crc
  }
  for table in 1..<8 {
    for index in 0..<256 {
      let previous = tables[(table - 1) * 256 + index]
      tables[table * 256 + index] = tables[Int(previous & 0xff)] ^ (previous >> 8)
    }
  }
  return tables
}()
