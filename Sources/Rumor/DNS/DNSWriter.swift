/// Builds a DNS message: big-endian fields and names, compressed with
/// pointers to earlier names (RFC 1035 4.1.4) so that more records fit a
/// 512-byte datagram.
struct DNSWriter {
  /// The bytes so far.
  private(set) var bytes: [UInt8] = []
  /// Where each name suffix written so far starts, by its labels (case
  /// kept, so that a name reads back exactly as given); only offsets a
  /// pointer can reach (below 0x4000).
  private var suffixes: [[[UInt8]]: Int] = [:]

  /// A mark to roll back to (`rollBack(to:)`), for a record that does not
  /// fit.
  struct Mark {
    fileprivate let count: Int
    fileprivate let suffixes: [[[UInt8]]: Int]
  }

  /// Where the writer is now.
  var mark: Mark { Mark(count: bytes.count, suffixes: suffixes) }

  /// Forgets everything written after `mark`.
  mutating func rollBack(to mark: Mark) {
    bytes.removeSubrange(mark.count...)
    suffixes = mark.suffixes
  }

  /// Appends one byte.
  mutating func u8(_ value: UInt8) { bytes.append(value) }

  /// Appends a 16-bit field.
  mutating func u16(_ value: UInt16) {
    bytes.append(UInt8(value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value))
  }

  /// Appends a 32-bit field.
  mutating func u32(_ value: UInt32) {
    u16(UInt16(value >> 16))
    u16(UInt16(truncatingIfNeeded: value))
  }

  /// Appends raw bytes.
  mutating func append(_ data: [UInt8]) { bytes.append(contentsOf: data) }

  /// Overwrites the 16-bit field at `offset` (a count or a length written
  /// before its value was known).
  mutating func set16(_ value: UInt16, at offset: Int) {
    guard offset >= 0, offset + 1 < bytes.count else { return }
    bytes[offset] = UInt8(value >> 8)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: value)
  }

  /// Appends `name`, ending in a pointer to an earlier copy of its longest
  /// known suffix. With `compress` false (names inside a record's data of
  /// a type other resolvers may not know), written in full.
  mutating func name(_ name: DNSName, compress: Bool = true) {
    for index in name.labels.indices {
      let suffix = Array(name.labels[index...])
      if compress, let offset = suffixes[suffix] {
        u16(0xC000 | UInt16(offset))
        return
      }
      if bytes.count < 0x4000 { suffixes[suffix] = bytes.count }
      let label = name.labels[index]
      bytes.append(UInt8(truncatingIfNeeded: label.count))
      bytes.append(contentsOf: label)
    }
    bytes.append(0)
  }
}
