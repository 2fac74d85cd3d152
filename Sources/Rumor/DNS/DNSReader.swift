/// Reads big-endian fields from a DNS message, checking every bound: a
/// read past the end throws `DNSDecodeError.truncated` instead of
/// trapping.
struct DNSReader {
  /// The whole message (names may point anywhere before them).
  let bytes: [UInt8]
  /// The next byte to read.
  var position: Int

  /// A reader at the start of `bytes`.
  init(_ bytes: [UInt8], at position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  /// The bytes not read yet.
  var remaining: Int { bytes.count - position }

  /// One byte.
  mutating func u8() throws(DNSDecodeError) -> UInt8 {
    guard position < bytes.count else { throw .truncated }
    defer { position += 1 }
    return bytes[position]
  }

  /// A 16-bit field.
  mutating func u16() throws(DNSDecodeError) -> UInt16 {
    guard remaining >= 2 else { throw .truncated }
    defer { position += 2 }
    return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
  }

  /// A 32-bit field.
  mutating func u32() throws(DNSDecodeError) -> UInt32 {
    let high = try u16()
    let low = try u16()
    return UInt32(high) << 16 | UInt32(low)
  }

  /// `count` bytes.
  mutating func take(_ count: Int) throws(DNSDecodeError) -> [UInt8] {
    guard count >= 0, remaining >= count else { throw .truncated }
    defer { position += count }
    return Array(bytes[position..<(position + count)])
  }

  /// A name, following compression pointers (see `DNSName.decode`).
  mutating func name() throws(DNSDecodeError) -> DNSName {
    let (name, next) = try DNSName.decode(bytes, at: position)
    position = next
    return name
  }
}
