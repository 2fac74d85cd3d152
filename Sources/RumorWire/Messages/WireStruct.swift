/// A Go struct on the wire: a msgpack map keyed by Go field name.
///
/// Conforming types list their keys in Go declaration order (used when a
/// peer sends the struct as an array) and write them sorted byte-wise, as
/// go-msgpack does, so that our bytes equal Go's.
protocol WireStruct {
  /// The Go field names in declaration order.
  static var keys: [StructKey] { get }
  /// A value with every field at its Go zero value.
  init()
  /// Reads the field at `index` of `keys`.
  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError)
  /// Writes the struct as a map with sorted keys, leaving out empty
  /// `omitempty` fields.
  func encode(into writer: inout MessagePackWriter)
}

extension WireStruct {
  /// Reads one struct from `reader`.
  init(from reader: inout MessagePackReader) throws(WireError) {
    var value = Self()
    try reader.readStruct(Self.keys) { (fieldReader, index) throws(WireError) in
      try value.decodeField(index, from: &fieldReader)
    }
    self = value
  }
}
