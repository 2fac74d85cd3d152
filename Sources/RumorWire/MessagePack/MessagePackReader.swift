/// Reads msgpack values as leniently as Go's decoder does and never traps:
/// every integer family for every integer field, `str8` and `bin` as well as
/// legacy raw for strings and bytes, nil for a zero value, structs as maps
/// (any key order, unknown keys skipped) or as arrays in declaration order.
///
/// Positions are indices into the slice the reader was made from, so an
/// error inside a compound part names its byte in the whole packet.
public struct MessagePackReader: Sendable {
  /// Nesting deeper than this is refused (no real message nests past 5).
  public static let maximumDepth = 32

  /// The bytes being read; indices are positions in the enclosing buffer.
  public let bytes: ArraySlice<UInt8>
  /// The position of the next byte to read.
  public private(set) var position: Int

  /// Creates a reader over `bytes`, starting at their first byte.
  public init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    self.position = bytes.startIndex
  }

  /// Creates a reader over a whole array.
  public init(_ bytes: [UInt8]) {
    self.init(bytes[...])
  }

  /// Whether every byte has been read.
  public var isAtEnd: Bool { position >= bytes.endIndex }

  /// How many bytes are left.
  public var remainingCount: Int { bytes.endIndex - position }

  /// The bytes not read yet.
  public var remainder: ArraySlice<UInt8> { bytes[position...] }

  // MARK: Raw bytes

  /// Reads one byte.
  public mutating func readByte() throws(WireError) -> UInt8 {
    guard position < bytes.endIndex else {
      throw WireError(.truncated, "input ends where a byte was expected", at: position)
    }
    let byte = bytes[position]
    position += 1
    return byte
  }

  /// Returns the next byte without consuming it, or nil at the end.
  public func peekByte() -> UInt8? {
    position < bytes.endIndex ? bytes[position] : nil
  }

  /// Reads `count` bytes without copying them.
  public mutating func readSlice(count: Int) throws(WireError) -> ArraySlice<UInt8> {
    guard count >= 0, count <= remainingCount else {
      throw WireError(
        .truncated, "input ends \(count - remainingCount) bytes short of a \(count)-byte value",
        at: position)
    }
    let slice = bytes[position..<(position + count)]
    position += count
    return slice
  }

  /// Reads a big-endian fixed-width integer.
  @inline(__always)
  public mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
    let size = MemoryLayout<T>.size
    guard size <= remainingCount else {
      throw WireError(
        .truncated, "input ends \(size - remainingCount) bytes short of a \(size)-byte value",
        at: position)
    }
    // Assembled unsigned and then reinterpreted, so that a signed type gets
    // its two's-complement value instead of trapping on a high bit.
    var value: UInt64 = 0
    for offset in 0..<size {
      value = (value << 8) | UInt64(bytes[position + offset])
    }
    position += size
    return T(truncatingIfNeeded: value)
  }

  // MARK: Scalars

  /// An integer as read, before it is fitted to a field.
  enum Integer {
    case unsigned(UInt64)
    case negative(Int64)
  }

  /// Reads any integer family (nil reads as 0, as in Go).
  mutating func readAnyInteger() throws(WireError) -> Integer {
    let start = position
    let format = try readByte()
    switch format {
    case 0x00...0x7f: return .unsigned(UInt64(format))
    case 0xe0...0xff: return .negative(Int64(Int8(bitPattern: format)))
    case 0xcc: return .unsigned(UInt64(try readBigEndian(UInt8.self)))
    case 0xcd: return .unsigned(UInt64(try readBigEndian(UInt16.self)))
    case 0xce: return .unsigned(UInt64(try readBigEndian(UInt32.self)))
    case 0xcf: return .unsigned(try readBigEndian(UInt64.self))
    case 0xd0: return Self.signed(Int64(try readBigEndian(Int8.self)))
    case 0xd1: return Self.signed(Int64(try readBigEndian(Int16.self)))
    case 0xd2: return Self.signed(Int64(try readBigEndian(Int32.self)))
    case 0xd3: return Self.signed(try readBigEndian(Int64.self))
    case 0xc0: return .unsigned(0)
    default:
      throw WireError(.malformed, "expected an integer, found \(Self.describe(format))", at: start)
    }
  }

  private static func signed(_ value: Int64) -> Integer {
    value >= 0 ? .unsigned(UInt64(value)) : .negative(value)
  }

  /// Reads any integer and returns it as a signed or unsigned 64-bit value.
  public mutating func readInteger() throws(WireError) -> MessagePackValue {
    switch try readAnyInteger() {
    case .unsigned(let value): .unsigned(value)
    case .negative(let value): .signed(value)
    }
  }

  /// Reads an integer into an unsigned field, refusing negative values and
  /// values that do not fit.
  @inline(__always)
  public mutating func readUnsigned<T: FixedWidthInteger & UnsignedInteger>(
    _: T.Type
  ) throws(WireError) -> T {
    let start = position
    switch try readAnyInteger() {
    case .unsigned(let value):
      guard value <= UInt64(truncatingIfNeeded: T.max) else {
        throw WireError(
          .unsupported, "value \(value) does not fit in \(T.bitWidth) unsigned bits", at: start)
      }
      return T(truncatingIfNeeded: value)
    case .negative(let value):
      throw WireError(.unsupported, "negative value \(value) for an unsigned field", at: start)
    }
  }

  /// Reads an integer into a signed field (a Go `int` or `int64`).
  @inline(__always)
  public mutating func readSigned<T: FixedWidthInteger & SignedInteger>(
    _: T.Type
  ) throws(WireError) -> T {
    let start = position
    let minimum = Int64(truncatingIfNeeded: T.min)
    let maximum = Int64(truncatingIfNeeded: T.max)
    switch try readAnyInteger() {
    case .unsigned(let value) where value <= UInt64(maximum):
      return T(truncatingIfNeeded: value)
    case .negative(let value) where value >= minimum:
      return T(truncatingIfNeeded: value)
    default:
      throw WireError(.unsupported, "integer does not fit in \(T.bitWidth) signed bits", at: start)
    }
  }

  /// Reads a boolean (nil reads as false, as in Go).
  public mutating func readBool() throws(WireError) -> Bool {
    let start = position
    switch try readByte() {
    case 0xc3: return true
    case 0xc2, 0xc0: return false
    case let format:
      throw WireError(.malformed, "expected a boolean, found \(Self.describe(format))", at: start)
    }
  }

  /// Reads a `float32` or `float64`, or an integer, as a Double.
  public mutating func readDouble() throws(WireError) -> Double {
    let start = position
    switch peekByte() {
    case 0xcb:
      position += 1
      return Double(bitPattern: try readBigEndian(UInt64.self))
    case 0xca:
      position += 1
      return Double(Float(bitPattern: try readBigEndian(UInt32.self)))
    default:
      switch try readInteger() {
      case .unsigned(let value): return Double(value)
      case .signed(let value): return Double(value)
      default: throw WireError(.malformed, "expected a number", at: start)
      }
    }
  }

  /// Reads the length of a raw, str or bin value, or nil for `c0`.
  /// Returns nil without consuming anything if the next value is not one.
  private mutating func readBytesHeader() throws(WireError) -> Int?? {
    let start = position
    let format = try readByte()
    switch format {
    case 0xa0...0xbf: return Int(format & 0x1f)
    case 0xd9, 0xc4: return Int(try readBigEndian(UInt8.self))
    case 0xda, 0xc5: return Int(try readBigEndian(UInt16.self))
    case 0xdb, 0xc6: return Int(try readBigEndian(UInt32.self))
    case 0xc0: return .some(nil)
    default:
      position = start
      return nil
    }
  }

  /// Reads a byte string: raw, str8 or bin, an array of small integers (as
  /// go-msgpack 2 accepts), or nil (returned as nil).
  public mutating func readBytes() throws(WireError) -> ArraySlice<UInt8>? {
    let start = position
    if let header = try readBytesHeader() {
      guard let count = header else { return nil }
      return try readSlice(count: count)
    }
    if let count = try readArrayHeaderIfPresent() {
      var collected: [UInt8] = []
      collected.reserveCapacity(count)
      for _ in 0..<count {
        collected.append(try readUnsigned(UInt8.self))
      }
      return collected[...]
    }
    let format = bytes[start]
    throw WireError(.malformed, "expected bytes, found \(Self.describe(format))", at: start)
  }

  /// Reads a byte string into an array; nil reads as empty.
  public mutating func readByteArray() throws(WireError) -> [UInt8] {
    guard let slice = try readBytes() else { return [] }
    return Array(slice)
  }

  /// Reads a string (invalid UTF-8 is repaired; nil reads as "").
  public mutating func readString() throws(WireError) -> String {
    guard let slice = try readBytes() else { return "" }
    return String(decoding: slice, as: UTF8.self)
  }

  // MARK: Containers

  /// Reads a map header and returns the entry count.
  public mutating func readMapHeader() throws(WireError) -> Int {
    let start = position
    let count: Int
    switch try readByte() {
    case let format where format & 0xf0 == 0x80: count = Int(format & 0x0f)
    case 0xde: count = Int(try readBigEndian(UInt16.self))
    case 0xdf: count = Int(try readBigEndian(UInt32.self))
    case let format:
      throw WireError(.malformed, "expected a map, found \(Self.describe(format))", at: start)
    }
    try checkPlausible(count: count, bytesEach: 2, at: start)
    return count
  }

  /// Reads an array header and returns the element count, or nil for `c0`.
  public mutating func readArrayHeader() throws(WireError) -> Int? {
    let start = position
    if peekByte() == 0xc0 {
      position += 1
      return nil
    }
    guard let count = try readArrayHeaderIfPresent() else {
      let format = try readByte()
      throw WireError(.malformed, "expected an array, found \(Self.describe(format))", at: start)
    }
    return count
  }

  private mutating func readArrayHeaderIfPresent() throws(WireError) -> Int? {
    let start = position
    guard let format = peekByte() else { return nil }
    let count: Int
    switch format {
    case 0x90...0x9f:
      position += 1
      count = Int(format & 0x0f)
    case 0xdc:
      position += 1
      count = Int(try readBigEndian(UInt16.self))
    case 0xdd:
      position += 1
      count = Int(try readBigEndian(UInt32.self))
    default:
      return nil
    }
    try checkPlausible(count: count, bytesEach: 1, at: start)
    return count
  }

  /// A container of `count` elements needs at least `bytesEach` bytes per
  /// element; refusing larger counts up front keeps hostile headers from
  /// driving long loops or big allocations.
  private func checkPlausible(count: Int, bytesEach: Int, at start: Int) throws(WireError) {
    guard count <= remainingCount / bytesEach else {
      throw WireError(
        .truncated, "container claims \(count) elements but only \(remainingCount) bytes remain",
        at: start)
    }
  }

  // MARK: Structs

  /// Reads a struct encoded as a map keyed by Go field name (or, rarely, as
  /// an array in declaration order) and calls `field` with the index in
  /// `keys` of each known field. Unknown fields are skipped.
  mutating func readStruct(
    _ keys: [StructKey], _ field: (inout MessagePackReader, Int) throws(WireError) -> Void
  ) throws(WireError) {
    let start = position
    if let count = try readArrayHeaderIfPresent() {
      for index in 0..<count {
        if index < keys.count {
          try readField(of: keys, index: index, field)
        } else {
          try skipValue()
        }
      }
      return
    }
    guard peekByte().map({ $0 & 0xf0 == 0x80 || $0 == 0xde || $0 == 0xdf }) == true else {
      let format = try readByte()
      throw WireError(
        .malformed, "expected a struct (map), found \(Self.describe(format))", at: start)
    }
    let count = try readMapHeader()
    for _ in 0..<count {
      let keyStart = position
      guard let header = try readBytesHeader(), let length = header else {
        // Go field names are strings; anything else is not ours to read.
        position = keyStart
        try skipValue()
        try skipValue()
        continue
      }
      guard length <= remainingCount else {
        throw WireError(.truncated, "input ends inside a field name", at: keyStart)
      }
      // Compare packed words, field by field in place: copying whole keys
      // (or slicing the name) would retain buffers on every field.
      let (high, low) = StructKey.pack(bytes, from: position, count: length)
      position += length
      var match = -1
      for index in 0..<keys.count
      where keys[index].length == length && keys[index].high == high && keys[index].low == low {
        match = index
        break
      }
      if match >= 0 {
        try readField(of: keys, index: match, field)
      } else {
        try skipValue()
      }
    }
  }

  @inline(__always)
  private mutating func readField(
    of keys: [StructKey], index: Int,
    _ field: (inout MessagePackReader, Int) throws(WireError) -> Void
  ) throws(WireError) {
    do {
      try field(&self, index)
    } catch {
      var named = error
      named.reason = "field \(keys[index].name): " + error.reason
      throw named
    }
  }

  // MARK: Generic values

  /// Skips one value of any type.
  public mutating func skipValue() throws(WireError) {
    try skipValue(depth: 0)
  }

  private mutating func skipValue(depth: Int) throws(WireError) {
    let start = position
    guard depth < Self.maximumDepth else {
      throw WireError(.unsupported, "values nested deeper than \(Self.maximumDepth)", at: start)
    }
    let format = try readByte()
    switch format {
    case 0x00...0x7f, 0xe0...0xff, 0xc0, 0xc2, 0xc3:
      return
    case 0xcc, 0xd0: _ = try readSlice(count: 1)
    case 0xcd, 0xd1: _ = try readSlice(count: 2)
    case 0xce, 0xd2, 0xca: _ = try readSlice(count: 4)
    case 0xcf, 0xd3, 0xcb: _ = try readSlice(count: 8)
    case 0xa0...0xbf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6:
      position = start
      _ = try readBytes()
    case 0x90...0x9f, 0xdc, 0xdd:
      position = start
      let count = try readArrayHeader() ?? 0
      for _ in 0..<count { try skipValue(depth: depth + 1) }
    case 0x80...0x8f, 0xde, 0xdf:
      position = start
      let count = try readMapHeader()
      for _ in 0..<(count * 2) { try skipValue(depth: depth + 1) }
    case 0xd4...0xd8, 0xc7...0xc9:
      position = start
      _ = try readExtension()
    default:
      throw WireError(.malformed, "\(Self.describe(format)) is not a msgpack value", at: start)
    }
  }

  private mutating func readExtension() throws(WireError) -> (Int8, ArraySlice<UInt8>) {
    let format = try readByte()
    let count: Int
    switch format {
    case 0xd4: count = 1
    case 0xd5: count = 2
    case 0xd6: count = 4
    case 0xd7: count = 8
    case 0xd8: count = 16
    case 0xc7: count = Int(try readBigEndian(UInt8.self))
    case 0xc8: count = Int(try readBigEndian(UInt16.self))
    default: count = Int(try readBigEndian(UInt32.self))
    }
    let type = Int8(bitPattern: try readByte())
    return (type, try readSlice(count: count))
  }

  /// Reads one value of any type.
  public mutating func readValue() throws(WireError) -> MessagePackValue {
    try readValue(depth: 0)
  }

  private mutating func readValue(depth: Int) throws(WireError) -> MessagePackValue {
    let start = position
    guard depth < Self.maximumDepth else {
      throw WireError(.unsupported, "values nested deeper than \(Self.maximumDepth)", at: start)
    }
    guard let format = peekByte() else {
      throw WireError(.truncated, "input ends where a value was expected", at: start)
    }
    switch format {
    case 0xc0:
      position += 1
      return .nil
    case 0xc2, 0xc3:
      return .bool(try readBool())
    case 0xca, 0xcb:
      return .double(try readDouble())
    case 0x00...0x7f, 0xe0...0xff, 0xcc...0xd3:
      return try readInteger()
    case 0xa0...0xbf, 0xd9, 0xda, 0xdb, 0xc4, 0xc5, 0xc6:
      return .raw(try readByteArray())
    case 0x90...0x9f, 0xdc, 0xdd:
      let count = try readArrayHeader() ?? 0
      var elements: [MessagePackValue] = []
      elements.reserveCapacity(count)
      for _ in 0..<count { elements.append(try readValue(depth: depth + 1)) }
      return .array(elements)
    case 0x80...0x8f, 0xde, 0xdf:
      let count = try readMapHeader()
      var entries: [MessagePackValue.MapEntry] = []
      entries.reserveCapacity(count)
      for _ in 0..<count {
        let key = try readValue(depth: depth + 1)
        let value = try readValue(depth: depth + 1)
        entries.append(.init(key: key, value: value))
      }
      return .map(entries)
    case 0xd4...0xd8, 0xc7...0xc9:
      let (type, data) = try readExtension()
      return .extension(type: type, data: Array(data))
    default:
      throw WireError(.malformed, "\(Self.describe(format)) is not a msgpack value", at: start)
    }
  }

  /// Names a msgpack format byte for error messages.
  static func describe(_ format: UInt8) -> String {
    let hex = "0x" + String(format, radix: 16, uppercase: false)
    switch format {
    case 0x00...0x7f, 0xe0...0xff, 0xcc...0xd3: return "an integer (\(hex))"
    case 0x80...0x8f, 0xde, 0xdf: return "a map (\(hex))"
    case 0x90...0x9f, 0xdc, 0xdd: return "an array (\(hex))"
    case 0xa0...0xbf, 0xd9...0xdb: return "a string (\(hex))"
    case 0xc4...0xc6: return "binary data (\(hex))"
    case 0xc0: return "nil (0xc0)"
    case 0xc2, 0xc3: return "a boolean (\(hex))"
    case 0xca, 0xcb: return "a float (\(hex))"
    case 0xc1: return "the unused format byte 0xc1"
    default: return "an extension (\(hex))"
    }
  }
}

/// A Go struct field name, kept in the forms the codec needs.
struct StructKey: Sendable {
  /// The Go field name, for error messages.
  let name: String
  /// The name as a msgpack raw value, written as is on encode.
  let encoded: [UInt8]
  /// The name's length in bytes.
  let length: Int
  /// The name's first 16 bytes packed into two words (zero padded), so
  /// that matching a key read from the wire is two integer comparisons.
  /// Every memberlist and Serf field name fits; a longer name would also
  /// need `length` and its first 16 bytes to match, which none shares.
  let high: UInt64
  let low: UInt64

  init(_ name: String) {
    self.name = name
    let utf8 = Array(name.utf8)
    length = utf8.count
    (high, low) = Self.pack(utf8[...])
    var writer = MessagePackWriter(capacity: utf8.count + 1)
    writer.writeString(name)
    self.encoded = writer.bytes
  }

  /// The first 16 bytes of `bytes`, big-endian in two words.
  static func pack(_ bytes: ArraySlice<UInt8>) -> (UInt64, UInt64) {
    pack(bytes, from: bytes.startIndex, count: bytes.count)
  }

  /// The first 16 of the `count` bytes at `start`, big-endian in two words.
  @inline(__always)
  static func pack(_ bytes: ArraySlice<UInt8>, from start: Int, count: Int) -> (UInt64, UInt64) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    let firstWord = min(count, 8)
    for offset in 0..<firstWord {
      high |= UInt64(bytes[start + offset]) << UInt64(56 - 8 * offset)
    }
    if count > 8 {
      for offset in 8..<min(count, 16) {
        low |= UInt64(bytes[start + offset]) << UInt64(120 - 8 * offset)
      }
    }
    return (high, low)
  }
}
