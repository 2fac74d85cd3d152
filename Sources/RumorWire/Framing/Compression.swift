/// The compress envelope (message type 9): `0x09` then
/// `msgpack{Algo: 0, Buf: <LZW bytes>}`. Algorithm 0 (LZW) is the only one.
public enum Compression {
  /// memberlist's limit on decompressed output (40 MiB).
  public static let defaultLimit = 40 << 20

  private static let keys = [StructKey("Algo"), StructKey("Buf")]

  /// Wraps `message` (a whole message or compound, type byte included).
  public static func wrap(_ message: [UInt8]) -> [UInt8] {
    wrap(message[...])
  }

  /// Wraps `message` (a whole message or compound, type byte included).
  public static func wrap(_ message: ArraySlice<UInt8>) -> [UInt8] {
    envelope(LZW.compress(message))
  }

  /// The least the envelope adds to the LZW bytes: type byte, map header,
  /// the two keys, the algorithm and the shortest raw header.
  static let smallestOverhead = 13

  /// Wraps `message` if the result is shorter than `count` bytes, and
  /// returns nil otherwise; the compressor stops as soon as the envelope
  /// can no longer come out shorter, so an attempt that fails costs less
  /// than a whole compression. What it returns is what `wrap` returns.
  public static func wrap(_ message: ArraySlice<UInt8>, ifShorterThan count: Int) -> [UInt8]? {
    wrap(message, ifShorterThan: count, prefix: 0)
  }

  /// `wrap(_:ifShorterThan:)` with `prefix` zero bytes before the
  /// envelope (not counted against `count`), for a header the caller
  /// fills in: the compressed bytes are copied once, into the result.
  static func wrap(_ message: ArraySlice<UInt8>, ifShorterThan count: Int, prefix: Int)
    -> [UInt8]?
  {
    let wrapped = LZW.withCompressed(message, maximumCount: count - 1 - smallestOverhead) {
      compressed in envelope(compressed, prefix: prefix)
    }
    guard let wrapped, wrapped.count - prefix < count else { return nil }
    return wrapped
  }

  private static func envelope(_ compressed: [UInt8]) -> [UInt8] {
    compressed.withUnsafeBufferPointer { envelope($0, prefix: 0) }
  }

  private static func envelope(_ compressed: UnsafeBufferPointer<UInt8>, prefix: Int) -> [UInt8] {
    var writer = MessagePackWriter(capacity: prefix + compressed.count + 16)
    writer.bytes.append(contentsOf: repeatElement(0, count: prefix))
    writer.bytes.append(MessageType.compress.rawValue)
    writer.writeMapHeader(count: 2)
    writer.writeKey(keys[0])
    writer.writeUnsigned(0)
    writer.writeKey(keys[1])
    writer.writeRaw(compressed)
    return writer.bytes
  }

  /// Reads the body of a compress message (type byte already read) and
  /// returns the decompressed bytes.
  static func unwrap(_ reader: inout MessagePackReader, limit: Int) throws(WireError) -> [UInt8] {
    let start = reader.position
    var algorithm: UInt8 = 0
    var buffer: ArraySlice<UInt8> = []
    try reader.readStruct(keys) { (field, index) throws(WireError) in
      if index == 0 {
        algorithm = try field.readUnsigned(UInt8.self)
      } else {
        buffer = try field.readBytes() ?? []
      }
    }
    guard algorithm == 0 else {
      throw WireError(
        .unsupported, "compression algorithm \(algorithm) is unknown (only 0, LZW)", at: start)
    }
    let decompressed = try LZW.decompress(buffer, limit: limit)
    guard !decompressed.isEmpty else {
      throw WireError(.malformed, "compressed message is empty", at: start)
    }
    return decompressed
  }
}
