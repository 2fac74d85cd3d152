/// A Vivaldi network coordinate as Serf sends it (Go's
/// `coordinate.Coordinate`): a point in a Euclidean space, a height above
/// it, an adjustment and the node's confidence. Every distance is in
/// seconds of round-trip time.
///
/// This is only the data on the wire; the math lives in RumorCore.
/// Decoding accepts any values, NaN and infinity included, as Go does;
/// whoever uses a coordinate checks it first.
public struct SerfCoordinate: Hashable, Sendable, WireStruct {
  /// The Euclidean part (`Vec`), one entry per dimension (8 in Serf).
  public var vector: [Double]
  /// How unsure the node is of its coordinate (`Error`): 1.5 at first,
  /// lower as its estimates improve. Dimensionless.
  public var error: Double
  /// A distance added to every estimate from this node (`Adjustment`),
  /// from its recent estimation errors. Seconds; may be negative.
  public var adjustment: Double
  /// The distance from the node to the Euclidean space (`Height`): its
  /// access link. Seconds, at least Serf's `HeightMin` (10 µs).
  public var height: Double

  /// The most dimensions decoded. Serf uses 8; a longer vector is refused
  /// rather than read, so that a hostile payload cannot make a receiver
  /// allocate for a huge one.
  public static let maximumDimensions = 64

  /// Creates a coordinate.
  public init(vector: [Double], error: Double, adjustment: Double, height: Double) {
    self.vector = vector
    self.error = error
    self.adjustment = adjustment
    self.height = height
  }

  init() { self.init(vector: [], error: 0, adjustment: 0, height: 0) }

  static let keys = [
    StructKey("Vec"), StructKey("Error"), StructKey("Adjustment"), StructKey("Height"),
  ]

  mutating func decodeField(_ index: Int, from reader: inout MessagePackReader) throws(WireError) {
    switch index {
    case 0:
      let start = reader.position
      guard let count = try reader.readArrayHeader() else {
        vector = []
        return
      }
      guard count <= Self.maximumDimensions else {
        throw WireError(
          .tooLarge,
          "a coordinate of \(count) dimensions (at most \(Self.maximumDimensions) are read)",
          at: start)
      }
      var values: [Double] = []
      values.reserveCapacity(count)
      for _ in 0..<count { values.append(try reader.readDouble()) }
      vector = values
    case 1: error = try reader.readDouble()
    case 2: adjustment = try reader.readDouble()
    default: height = try reader.readDouble()
    }
  }

  func encode(into writer: inout MessagePackWriter) {
    let keys = Self.keys
    writer.writeMapHeader(count: 4)
    writer.writeKey(keys[2])
    writer.writeDouble(adjustment)
    writer.writeKey(keys[1])
    writer.writeDouble(error)
    writer.writeKey(keys[3])
    writer.writeDouble(height)
    writer.writeKey(keys[0])
    writer.writeArrayHeader(count: vector.count)
    for value in vector { writer.writeDouble(value) }
  }
}
