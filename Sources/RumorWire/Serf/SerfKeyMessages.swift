/// The payload of Serf's key queries (`_serf_install-key`, `_serf_use-key`,
/// `_serf_remove-key`): the type byte 7, then `{Key}`.
public struct SerfKeyRequest: Hashable, Sendable, WireStruct {
  /// The raw key (16, 24 or 32 bytes).
  public var key: [UInt8]

  /// Creates a request.
  public init(key: [UInt8] = []) {
    self.key = key
  }

  init() { self.init(key: []) }

  static let keys = [StructKey("Key")]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    key = try reader.readByteArray()
  }

  func encode(into writer: inout MessagePackWriter) {
    writer.writeMapHeader(count: 1)
    writer.writeKey(Self.keys[0])
    writer.writeBytesOrNil(key)
  }

  /// Decodes a query payload: type byte 7, then the request.
  public init(decoding payload: [UInt8]) throws(WireError) {
    guard payload.first == SerfMessageType.keyRequest.rawValue else {
      throw WireError(.malformed, "a key query's payload does not start with type 7", at: 0)
    }
    var reader = MessagePackReader(payload.dropFirst())
    self = try SerfKeyRequest(from: &reader)
  }

  /// The query payload: type byte 7, then the request.
  public func encodedPayload() -> [UInt8] {
    var writer = MessagePackWriter()
    encode(into: &writer)
    return [SerfMessageType.keyRequest.rawValue] + writer.bytes
  }
}

/// A member's answer to a key query (Serf's `nodeKeyResponse`): the type
/// byte 8, then `{Result, Message, Keys, PrimaryKey}`.
public struct SerfKeyResponse: Hashable, Sendable, WireStruct {
  /// Whether the operation worked.
  public var result: Bool
  /// Why it did not.
  public var message: String
  /// For a list: every installed key, base64.
  public var keys: [String]
  /// For a list: the key used to encrypt, base64.
  public var primaryKey: String

  /// Creates a response.
  public init(
    result: Bool = false, message: String = "", keys: [String] = [], primaryKey: String = ""
  ) {
    self.result = result
    self.message = message
    self.keys = keys
    self.primaryKey = primaryKey
  }

  init() { self.init(result: false) }

  static let keys = [
    StructKey("Result"), StructKey("Message"), StructKey("Keys"), StructKey("PrimaryKey"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0: result = try reader.readBool()
    case 1: message = try reader.readString()
    case 2:
      let count = try reader.readArrayHeader() ?? 0
      var collected: [String] = []
      for _ in 0..<count { collected.append(try reader.readString()) }
      keys = collected
    default: primaryKey = try reader.readString()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let names = Self.keys
    writer.writeMapHeader(count: 4)
    writer.writeKey(names[2])
    if keys.isEmpty {
      writer.writeNil()
    } else {
      writer.writeArrayHeader(count: keys.count)
      for key in keys { writer.writeString(key) }
    }
    writer.writeKey(names[1])
    writer.writeString(message)
    writer.writeKey(names[3])
    writer.writeString(primaryKey)
    writer.writeKey(names[0])
    writer.writeBool(result)
  }

  /// Decodes a response payload: type byte 8, then the response.
  public init(decoding payload: [UInt8]) throws(WireError) {
    guard payload.first == SerfMessageType.keyResponse.rawValue else {
      throw WireError(.malformed, "a key response does not start with type 8", at: 0)
    }
    var reader = MessagePackReader(payload.dropFirst())
    self = try SerfKeyResponse(from: &reader)
  }

  /// The response payload: type byte 8, then the response.
  public func encodedPayload() -> [UInt8] {
    var writer = MessagePackWriter()
    encode(into: &writer)
    return [SerfMessageType.keyResponse.rawValue] + writer.bytes
  }
}
