/// One filter of a Serf query (`SerfQuery.filters`): which members should
/// process it. Each is a type byte followed by msgpack: 0, a list of node
/// names; 1, a tag name and a regular expression its value must match.
public enum SerfQueryFilter: Hashable, Sendable {
  /// Only these members (Serf's `filterNode`).
  case nodes([String])
  /// Only members whose tag `name` matches `expression` (Serf's
  /// `filterTag`; Go's RE2 syntax, unanchored).
  case tag(name: String, expression: String)

  /// Filter type 0: node names.
  public static let nodeType: UInt8 = 0
  /// Filter type 1: a tag and an expression.
  public static let tagType: UInt8 = 1

  private static let tagKeys = [StructKey("Tag"), StructKey("Expr")]

  /// Decodes one filter. Throws for an unknown type or bad msgpack.
  public init(decoding bytes: [UInt8]) throws(WireError) {
    guard let type = bytes.first else {
      throw WireError(.truncated, "a query filter is empty", at: 0)
    }
    var reader = MessagePackReader(bytes.dropFirst())
    switch type {
    case Self.nodeType:
      let count = try reader.readArrayHeader() ?? 0
      var names: [String] = []
      for _ in 0..<count { names.append(try reader.readString()) }
      self = .nodes(names)
    case Self.tagType:
      var name = ""
      var expression = ""
      try reader.readStruct(Self.tagKeys) { (field, index) throws(WireError) in
        if index == 0 { name = try field.readString() } else { expression = try field.readString() }
      }
      self = .tag(name: name, expression: expression)
    default:
      throw WireError(.unsupported, "unknown query filter type \(type)", at: 0)
    }
  }

  /// The filter's bytes, as Serf sends them.
  public func encoded() -> [UInt8] {
    var writer = MessagePackWriter()
    switch self {
    case .nodes(let names):
      writer.writeArrayHeader(count: names.count)
      for name in names { writer.writeString(name) }
      return [Self.nodeType] + writer.bytes
    case .tag(let name, let expression):
      writer.writeMapHeader(count: 2)
      writer.writeKey(Self.tagKeys[1])
      writer.writeString(expression)
      writer.writeKey(Self.tagKeys[0])
      writer.writeString(name)
      return [Self.tagType] + writer.bytes
    }
  }
}
