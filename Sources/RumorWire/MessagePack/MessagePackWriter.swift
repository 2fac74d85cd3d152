/// How Go `int` fields (push-pull counts, node state, Serf timeouts) are
/// written. The two go-msgpack generations differ only here; both read
/// either form, so the choice matters only for byte-identical output.
public enum GoIntStyle: Sendable, Hashable {
  /// go-msgpack 0.5.x (memberlist up to 0.5.0, Serf up to 0.10.1, Debian's
  /// `serf` 0.9.4): a non-negative value uses the smallest unsigned form.
  case legacy
  /// go-msgpack 2.x (memberlist 0.5.1 and later): a value above 127 uses the
  /// smallest signed form (`d1`, `d2`, `d3`).
  case current
}

/// Appends msgpack values the way go-msgpack writes them for memberlist:
/// the "old spec" (no `bin` or `str8`; strings and byte slices are both raw),
/// unsigned integers in their smallest form, structs as maps.
///
/// The writer never fails; limits (meta size, compound part count) are
/// checked by the callers that know them.
public struct MessagePackWriter: Sendable {
  /// The bytes written so far.
  public var bytes: [UInt8]
  /// How Go `int` fields are written.
  public var intStyle: GoIntStyle

  /// Creates a writer, reserving room for `capacity` bytes.
  public init(capacity: Int = 64, intStyle: GoIntStyle = .legacy) {
    bytes = []
    bytes.reserveCapacity(capacity)
    self.intStyle = intStyle
  }

  /// Writes msgpack nil (`c0`).
  public mutating func writeNil() {
    bytes.append(0xc0)
  }

  /// Writes `c3` or `c2`.
  public mutating func writeBool(_ value: Bool) {
    bytes.append(value ? 0xc3 : 0xc2)
  }

  /// Writes an unsigned integer in its smallest form, as Go does for
  /// `uint8` to `uint64` fields.
  public mutating func writeUnsigned(_ value: UInt64) {
    switch value {
    case 0...0x7f:
      bytes.append(UInt8(value))
    case 0x80...0xff:
      bytes.append(0xcc)
      bytes.append(UInt8(value))
    case 0x100...0xffff:
      bytes.append(0xcd)
      appendBigEndian(UInt16(value))
    case 0x1_0000...0xffff_ffff:
      bytes.append(0xce)
      appendBigEndian(UInt32(value))
    default:
      bytes.append(0xcf)
      appendBigEndian(value)
    }
  }

  /// Writes a Go `int` or `int64` field, following `intStyle`.
  public mutating func writeGoInt(_ value: Int64) {
    if value >= 0 && (value <= 0x7f || intStyle == .legacy) {
      writeUnsigned(UInt64(value))
      return
    }
    switch value {
    case -32 ... -1:
      bytes.append(UInt8(truncatingIfNeeded: value))
    case -0x80...0x7f:
      bytes.append(0xd0)
      bytes.append(UInt8(truncatingIfNeeded: value))
    case -0x8000...0x7fff:
      bytes.append(0xd1)
      appendBigEndian(Int16(value))
    case -0x8000_0000...0x7fff_ffff:
      bytes.append(0xd2)
      appendBigEndian(Int32(value))
    default:
      bytes.append(0xd3)
      appendBigEndian(value)
    }
  }

  /// Writes a `float64` (`cb` and eight bytes), as Go always does.
  public mutating func writeDouble(_ value: Double) {
    bytes.append(0xcb)
    appendBigEndian(value.bitPattern)
  }

  /// Writes the header of a legacy raw value of `count` bytes.
  public mutating func writeRawHeader(count: Int) {
    switch count {
    case 0...31:
      bytes.append(0xa0 | UInt8(count))
    case 32...0xffff:
      bytes.append(0xda)
      appendBigEndian(UInt16(count))
    default:
      bytes.append(0xdb)
      appendBigEndian(UInt32(clamping: count))
    }
  }

  /// Writes bytes as a legacy raw value (how Go writes `[]byte`).
  public mutating func writeRaw<C: Collection>(_ raw: C) where C.Element == UInt8 {
    writeRawHeader(count: raw.count)
    bytes.append(contentsOf: raw)
  }

  /// Writes a byte slice that Go would hold as nil when empty: `c0` for no
  /// bytes (what memberlist sends for a missing ack payload or meta).
  public mutating func writeBytesOrNil(_ raw: [UInt8]) {
    writeBytesOrNil(raw[...])
  }

  /// `writeBytesOrNil(_:)` for a slice.
  public mutating func writeBytesOrNil(_ raw: ArraySlice<UInt8>) {
    if raw.isEmpty {
      writeNil()
    } else {
      writeRaw(raw)
    }
  }

  /// Writes an address's IP as a raw value of 4 or 16 bytes.
  public mutating func writeIP(_ address: NodeAddress) {
    address.withIPBytes { raw in
      writeRawHeader(count: raw.count)
      bytes.append(contentsOf: raw)
    }
  }

  /// Writes the six version bytes as a raw value.
  public mutating func writeVersions(_ versions: ProtocolVersions) {
    bytes.append(0xa6)
    bytes.append(versions.protocolMin)
    bytes.append(versions.protocolMax)
    bytes.append(versions.protocolCurrent)
    bytes.append(versions.delegateMin)
    bytes.append(versions.delegateMax)
    bytes.append(versions.delegateCurrent)
  }

  /// Writes a string as a legacy raw value.
  public mutating func writeString(_ string: String) {
    writeRaw(string.utf8)
  }

  /// Writes a map header for `count` entries.
  public mutating func writeMapHeader(count: Int) {
    if count <= 15 {
      bytes.append(0x80 | UInt8(count))
    } else if count <= 0xffff {
      bytes.append(0xde)
      appendBigEndian(UInt16(count))
    } else {
      bytes.append(0xdf)
      appendBigEndian(UInt32(clamping: count))
    }
  }

  /// Writes an array header for `count` elements.
  public mutating func writeArrayHeader(count: Int) {
    if count <= 15 {
      bytes.append(0x90 | UInt8(count))
    } else if count <= 0xffff {
      bytes.append(0xdc)
      appendBigEndian(UInt16(count))
    } else {
      bytes.append(0xdd)
      appendBigEndian(UInt32(clamping: count))
    }
  }

  /// Writes an already encoded struct key (see `StructKey`).
  mutating func writeKey(_ key: StructKey) {
    bytes.append(contentsOf: key.encoded)
  }

  /// Writes a generic value, with map entries in the order given.
  public mutating func write(_ value: MessagePackValue) {
    switch value {
    case .nil: writeNil()
    case .bool(let flag): writeBool(flag)
    case .unsigned(let number): writeUnsigned(number)
    case .signed(let number): writeGoInt(number)
    case .double(let number): writeDouble(number)
    case .raw(let raw): writeRaw(raw)
    case .array(let elements):
      writeArrayHeader(count: elements.count)
      for element in elements { write(element) }
    case .map(let entries):
      writeMapHeader(count: entries.count)
      for entry in entries {
        write(entry.key)
        write(entry.value)
      }
    case .extension(let type, let data):
      writeExtensionHeader(type: type, count: data.count)
      bytes.append(contentsOf: data)
    }
  }

  private mutating func writeExtensionHeader(type: Int8, count: Int) {
    switch count {
    case 1: bytes.append(0xd4)
    case 2: bytes.append(0xd5)
    case 4: bytes.append(0xd6)
    case 8: bytes.append(0xd7)
    case 16: bytes.append(0xd8)
    case 0...0xff:
      bytes.append(0xc7)
      bytes.append(UInt8(count))
    case 0x100...0xffff:
      bytes.append(0xc8)
      appendBigEndian(UInt16(count))
    default:
      bytes.append(0xc9)
      appendBigEndian(UInt32(clamping: count))
    }
    bytes.append(UInt8(bitPattern: type))
  }

  /// Appends a fixed-width integer in network byte order.
  public mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
    var big = value.bigEndian
    withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
  }
}
