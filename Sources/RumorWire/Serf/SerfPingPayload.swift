/// What Serf's ping delegate puts in the `Payload` of every ack it sends
/// to a direct ping: its `PingVersion` byte (1), then its network
/// coordinate as a msgpack `coordinate.Coordinate`.
///
/// Serf ignores a payload with another version or one it cannot decode;
/// so does Rumor (`decode` throws and the caller counts and drops it).
public enum SerfPingPayload {
  /// Serf's `PingVersion`: the first byte of the payload.
  public static let version: UInt8 = 1

  /// The payload carrying `coordinate`: 130 bytes for 8 dimensions.
  public static func encode(_ coordinate: SerfCoordinate) -> [UInt8] {
    var writer = MessagePackWriter(capacity: 16 + 9 * (coordinate.vector.count + 3) + 32)
    writer.bytes.append(version)
    coordinate.encode(into: &writer)
    return writer.bytes
  }

  /// The coordinate in an ack's payload. Throws on an empty payload,
  /// another version, or bytes that are not a coordinate. Bytes after the
  /// coordinate are ignored, as Go's decoder does.
  public static func decode(_ payload: [UInt8]) throws(WireError) -> SerfCoordinate {
    guard let first = payload.first else {
      throw WireError(.truncated, "an empty ack payload carries no coordinate", at: 0)
    }
    guard first == version else {
      throw WireError(.unsupported, "ping payload version \(first) (Serf's is \(version))", at: 0)
    }
    var reader = MessagePackReader(payload[1...])
    return try SerfCoordinate(from: &reader)
  }
}
