/// An error reported by the accepting side of a stream (message type 13),
/// for example when it could not decrypt or parse the request.
public struct ErrorResponse: Hashable, Sendable, WireStruct {
  /// The remote error text.
  public var error: String

  /// Creates an error response.
  public init(error: String = "") {
    self.error = error
  }

  init() { self.init(error: "") }

  static let keys = [StructKey("Error")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    error = try reader.readString()
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 1)
    writer.writeKey(Self.keys[0])
    writer.writeString(error)
  }
}
