/// Receive limits on what a member record holds: names, metadata and
/// version bytes from the network are refused beyond these, so that no
/// peer can make a node store (and re-gossip) values of any size.
///
/// memberlist has no limit on names; Serf refuses names over 128
/// characters only with `ValidateNodeNames` on. 255 bytes is above both
/// and above any DNS name (253), which is what names usually are.
/// Metadata is memberlist's own 512-byte `MetaMaxSize`, which its sender
/// enforces but its receiver does not. Version bytes are six on the wire.
public enum MemberLimits {
  /// Most UTF-8 bytes in a received node name. 255.
  public static let maximumNameSize = 255
  /// Most bytes of received node metadata (memberlist's `MetaMaxSize`). 512.
  public static let maximumMetaSize = SerfTags.maximumMetaSize
  /// Most received version bytes (memberlist sends 6). 16.
  public static let maximumVersionSize = 16

  /// Whether a node state's fields are within the limits.
  public static func accepts(name: String, meta: Int, versions: Int) -> Bool {
    name.utf8.count <= maximumNameSize && meta <= maximumMetaSize && versions <= maximumVersionSize
  }
}

extension MessagePackReader {
  /// Reads a node name, refusing one over `MemberLimits.maximumNameSize`.
  mutating func readNodeName() throws(WireError) -> String {
    let start = position
    let name = try readString()
    guard name.utf8.count <= MemberLimits.maximumNameSize else {
      throw WireError(
        .tooLarge,
        "node name of \(name.utf8.count) bytes is over the \(MemberLimits.maximumNameSize)-byte limit",
        at: start)
    }
    return name
  }

  /// Reads a raw field, refusing more than `limit` bytes (`what` names it).
  mutating func readByteArray(atMost limit: Int, _ what: String) throws(WireError) -> [UInt8] {
    Array(try readBytes(atMost: limit, what))
  }

  /// `readByteArray(atMost:_:)` without the copy: the bytes as a slice of
  /// what is read (nil reads as empty).
  mutating func readBytes(atMost limit: Int, _ what: String) throws(WireError)
    -> ArraySlice<UInt8>
  {
    let start = position
    let bytes = try readBytes() ?? []
    guard bytes.count <= limit else {
      throw WireError(
        .tooLarge, "\(what) of \(bytes.count) bytes is over the \(limit)-byte limit", at: start)
    }
    return bytes
  }
}
