/// The compound envelope (message type 7): several messages in one packet.
///
/// `0x07 | count:u8 | count × length:u16be | parts…`. At most 255 parts,
/// each at most 65,535 bytes.
public enum Compound {
  /// Most parts in one compound.
  public static let maximumParts = 255
  /// Header bytes: the type byte and the count.
  public static let headerSize = 2
  /// Bytes each part adds to the header (its length).
  public static let perPartOverhead = 2

  /// Builds a compound of `parts` (each a whole message).
  /// Throws if there are more than 255 parts or one is over 65,535 bytes.
  public static func encode<Part: Collection<UInt8>>(_ parts: some Collection<Part>)
    throws(WireError) -> [UInt8]
  {
    try build(parts)
  }

  /// `encode(_:)` for parts that are slices (what a node's gossip queues
  /// hand out): a concrete signature, so that a caller in another module
  /// runs code specialised here rather than the generic function, which
  /// went through the standard library's unspecialised iteration and
  /// `append(contentsOf:)` for every part of every packet.
  public static func encode(_ parts: [ArraySlice<UInt8>]) throws(WireError) -> [UInt8] {
    try build(parts)
  }

  private static func build<Part: Collection<UInt8>>(_ parts: some Collection<Part>)
    throws(WireError) -> [UInt8]
  {
    guard parts.count <= maximumParts else {
      throw WireError(.encoding, "a compound holds at most 255 parts, not \(parts.count)", at: 0)
    }
    var total = headerSize
    for part in parts {
      guard part.count <= Int(UInt16.max) else {
        throw WireError(.encoding, "a compound part of \(part.count) bytes is too long", at: 0)
      }
      total += perPartOverhead + part.count
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(total)
    bytes.append(MessageType.compound.rawValue)
    bytes.append(UInt8(parts.count))
    for part in parts {
      bytes.append(UInt8(truncatingIfNeeded: part.count >> 8))
      bytes.append(UInt8(truncatingIfNeeded: part.count))
    }
    for part in parts {
      bytes.append(contentsOf: part)
    }
    return bytes
  }

  /// Reads a compound body (type byte already read) and returns its parts
  /// as slices of the input, plus the error that cut the list short if the
  /// buffer ran out (earlier parts are still good, as in memberlist).
  static func parts(_ reader: inout MessagePackReader) throws(WireError) -> (
    parts: [ArraySlice<UInt8>], truncation: WireError?
  ) {
    let count = Int(try reader.readByte())
    var lengths: [Int] = []
    lengths.reserveCapacity(count)
    for _ in 0..<count {
      let lengthStart = reader.position
      guard reader.remainingCount >= 2 else {
        throw WireError(
          .truncated, "compound of \(count) parts ends inside its length table", at: lengthStart)
      }
      lengths.append(Int(try reader.readBigEndian(UInt16.self)))
    }
    var parts: [ArraySlice<UInt8>] = []
    parts.reserveCapacity(count)
    for (index, length) in lengths.enumerated() {
      guard length <= reader.remainingCount else {
        let error = WireError(
          .truncated,
          "compound part \(index + 1) of \(count) needs \(length) bytes, \(reader.remainingCount) remain",
          at: reader.position)
        return (parts, error)
      }
      parts.append(try reader.readSlice(count: length))
    }
    return (parts, nil)
  }
}
