/// Serf's tags in node metadata: the magic byte 255, then a msgpack map of
/// string to string. memberlist caps node metadata at 512 bytes.
///
/// Keys are written sorted, so the same tags always give the same bytes
/// (Go writes them in random order; never compare Go's meta byte-wise).
public enum SerfTags {
  /// The first byte of tag-encoded metadata.
  public static let magicByte: UInt8 = 0xff
  /// memberlist's `MetaMaxSize`.
  public static let maximumMetaSize = 512

  /// Encodes `tags` as node metadata, refusing more than 512 bytes.
  public static func encode(_ tags: [String: String]) throws(WireError) -> [UInt8] {
    var writer = MessagePackWriter(capacity: 64)
    writer.bytes.append(magicByte)
    writer.writeMapHeader(count: tags.count)
    for key in tags.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      writer.writeString(key)
      writer.writeString(tags[key] ?? "")
    }
    guard writer.bytes.count <= maximumMetaSize else {
      throw WireError(
        .encoding,
        "tags encode to \(writer.bytes.count) bytes but node metadata is limited to \(maximumMetaSize); remove or shorten tags",
        at: 0)
    }
    return writer.bytes
  }

  /// Decodes node metadata into tags.
  ///
  /// Metadata that does not start with the magic byte is a pre-tags Serf
  /// node's role, returned as `["role": text]`, as Serf does; empty
  /// metadata (a plain memberlist node) has no tags.
  public static func decode(_ meta: [UInt8]) throws(WireError) -> [String: String] {
    guard let first = meta.first else { return [:] }
    guard first == magicByte else {
      return ["role": String(decoding: meta, as: UTF8.self)]
    }
    var reader = MessagePackReader(meta)
    _ = try reader.readByte()
    var tags: [String: String] = [:]
    let count = try reader.readMapHeader()
    for _ in 0..<count {
      let key = try reader.readString()
      tags[key] = try reader.readString()
    }
    return tags
  }
}
