import RumorWire

/// The geometry of network coordinates (Serf's `coordinate.Coordinate`
/// methods): distances are estimated round-trip times in seconds.
extension SerfCoordinate {
  /// A new node's coordinate: at the origin, at the least height, with
  /// the largest error (Serf's `NewCoordinate`).
  public init(settings: VivaldiSettings) {
    self.init(
      vector: [Double](repeating: 0, count: settings.dimensions), error: settings.errorMaximum,
      adjustment: 0, height: settings.heightMinimum)
  }

  /// The largest magnitude, in seconds, of any part of a coordinate taken
  /// from a peer. A real one stays within a few times the largest round
  /// trip Serf accepts (10 s): gravity pulls it to the origin.
  static let plausibleMagnitude = 1_000.0

  /// Whether every component is a finite number (Serf's `IsValid`).
  public var isValid: Bool {
    error.isFinite && adjustment.isFinite && height.isFinite && vector.allSatisfy(\.isFinite)
  }

  /// Whether a peer's coordinate is safe to learn from: valid (Serf's
  /// check), and beyond Serf, no negative error or height and no part
  /// larger than `plausibleMagnitude`, which only a broken or hostile
  /// peer sends and which would throw this node's coordinate far off.
  public var isPlausible: Bool {
    guard isValid, error >= 0, height >= 0 else { return false }
    let bound = Self.plausibleMagnitude
    return error <= bound && height <= bound && abs(adjustment) <= bound
      && vector.allSatisfy { abs($0) <= bound }
  }

  /// Whether `other` has as many dimensions (Serf's `IsCompatibleWith`).
  public func isCompatible(with other: SerfCoordinate) -> Bool {
    vector.count == other.vector.count
  }

  /// The Vivaldi distance to `other` in seconds, without the adjustments:
  /// the Euclidean distance plus both heights (Serf's `rawDistanceTo`).
  /// Assumes equal dimensions.
  func rawDistance(to other: SerfCoordinate) -> Double {
    var sum = 0.0
    for index in vector.indices where index < other.vector.count {
      let difference = vector[index] - other.vector[index]
      sum += difference * difference
    }
    return sum.squareRoot() + height + other.height
  }

  /// The estimated round trip to `other` in seconds: the raw distance
  /// plus both adjustments, unless that is not positive (Serf's
  /// `DistanceTo`). Assumes equal dimensions.
  public func distance(to other: SerfCoordinate) -> Double {
    let raw = rawDistance(to: other)
    let adjusted = raw + adjustment + other.adjustment
    return adjusted > 0 ? adjusted : raw
  }

  /// The estimated round trip to `other` (what `serf rtt` prints), or nil
  /// when the two cannot be compared (different dimensions, or a
  /// component that is not a finite number).
  public func estimatedRoundTrip(to other: SerfCoordinate) -> Duration? {
    guard isCompatible(with: other), isValid, other.isValid else { return nil }
    return Self.duration(seconds: distance(to: other))
  }

  /// `seconds` as a Duration, clamped to 0 ... 10⁹ s (never traps).
  static func duration(seconds: Double) -> Duration {
    guard seconds.isFinite, seconds > 0 else { return .zero }
    let nanoseconds = min(seconds * 1e9, 1e18)
    return .nanoseconds(Int64(nanoseconds))
  }

  /// This coordinate moved by `force` seconds away from `other` (towards
  /// it when negative), its height changed in proportion (Serf's
  /// `ApplyForce`). When the two sit on one point the direction is a
  /// random one from `random`. Assumes equal dimensions.
  func applyingForce(
    _ force: Double, from other: SerfCoordinate, heightMinimum: Double,
    random: inout SplitMix64
  ) -> SerfCoordinate {
    var moved = self
    let (unit, magnitude) = Self.unitVector(from: other.vector, to: vector, random: &random)
    for index in moved.vector.indices where index < unit.count {
      moved.vector[index] += unit[index] * force
    }
    if magnitude > Self.zeroThreshold {
      moved.height = max((height + other.height) * force / magnitude + height, heightMinimum)
    }
    return moved
  }

  /// Below this, two points are one (Serf's `zeroThreshold`), in seconds.
  static let zeroThreshold = 1.0e-6

  /// The unit vector pointing from `origin` to `target` and the distance
  /// between them; a random unit vector and distance 0 when they coincide
  /// (Serf's `unitVectorAt`).
  static func unitVector(from origin: [Double], to target: [Double], random: inout SplitMix64)
    -> ([Double], Double)
  {
    var direction = target.indices.map { index in
      target[index] - (index < origin.count ? origin[index] : 0)
    }
    var magnitude = length(direction)
    if magnitude > zeroThreshold {
      return (direction.map { $0 / magnitude }, magnitude)
    }
    for index in direction.indices { direction[index] = random.unit() - 0.5 }
    magnitude = length(direction)
    if magnitude > zeroThreshold {
      return (direction.map { $0 / magnitude }, 0)
    }
    // Next to impossible: every random component near zero.
    var axis = [Double](repeating: 0, count: direction.count)
    if !axis.isEmpty { axis[0] = 1 }
    return (axis, 0)
  }

  private static func length(_ vector: [Double]) -> Double {
    var sum = 0.0
    for value in vector { sum += value * value }
    return sum.squareRoot()
  }
}
