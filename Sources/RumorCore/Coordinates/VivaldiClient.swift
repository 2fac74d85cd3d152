import RumorWire

/// This node's network coordinate, learned from round trips to peers and
/// their own coordinates (Serf's `coordinate.Client`: Vivaldi [1] with a
/// height, the adjustment term of [3], gravity and a per-peer median
/// latency filter of [2]; see `VivaldiSettings`).
///
/// Pure: the round trip comes in with each update, and the one random
/// choice (a direction when two coordinates coincide) comes from a seeded
/// generator. Bounded: it keeps a few samples per peer for at most
/// `peerLimit` peers; `forget` drops one.
public struct VivaldiClient: Sendable {
  /// The settings.
  public let settings: VivaldiSettings
  /// This node's current coordinate.
  public private(set) var coordinate: SerfCoordinate
  /// How often the coordinate went invalid (or implausible, see
  /// `SerfCoordinate.isPlausible`) and was reset to the origin (Serf's
  /// `Stats().Resets`).
  public private(set) var resets = 0
  /// The most peers whose latency samples are kept.
  public let peerLimit: Int
  private let origin: SerfCoordinate
  private var adjustmentSamples: [Double]
  private var adjustmentIndex = 0
  private var latencySamples: [String: [Double]] = [:]
  private var random: SplitMix64

  /// The longest round trip an update accepts (Serf's `maxRTT`).
  public static let maximumRoundTrip: Duration = .seconds(10)

  /// Why an update was refused; the coordinate did not change.
  public enum Rejection: Error, Hashable, Sendable {
    /// The peer's coordinate has another number of dimensions.
    case incompatibleDimensions
    /// The peer's coordinate has a component that is not a finite number,
    /// or one out of any plausible range (`SerfCoordinate.isPlausible`).
    case implausible
    /// The round trip is negative or above `maximumRoundTrip`.
    case roundTripOutOfRange
    /// `peerLimit` peers are already tracked and this is a new one.
    case tooManyPeers
  }

  /// A client at the origin. `seed` drives its random directions.
  public init(settings: VivaldiSettings = VivaldiSettings(), peerLimit: Int, seed: UInt64)
    throws(SettingsError)
  {
    try settings.validate()
    self.settings = settings
    self.peerLimit = max(1, peerLimit)
    coordinate = SerfCoordinate(settings: settings)
    origin = SerfCoordinate(settings: settings)
    adjustmentSamples = [Double](repeating: 0, count: settings.adjustmentWindow)
    random = SplitMix64(seed: seed)
  }

  /// How many peers have latency samples kept.
  public var trackedPeers: Int { latencySamples.count }

  /// Takes one round trip to `peer`, whose coordinate is `other`, and
  /// moves this node's coordinate (Serf's `Update`). Returns the new
  /// coordinate; throws, changing nothing, when the input is refused.
  @discardableResult
  public mutating func update(peer: String, other: SerfCoordinate, roundTrip: Duration)
    throws(Rejection) -> SerfCoordinate
  {
    guard coordinate.isCompatible(with: other) else { throw .incompatibleDimensions }
    guard other.isPlausible else { throw .implausible }
    guard roundTrip >= .zero, roundTrip <= Self.maximumRoundTrip else {
      throw .roundTripOutOfRange
    }
    guard latencySamples[peer] != nil || latencySamples.count < peerLimit else {
      throw .tooManyPeers
    }
    let (seconds, attoseconds) = roundTrip.components
    let sample = Double(seconds) + Double(attoseconds) * 1e-18
    let filtered = latencyFilter(peer: peer, seconds: sample)
    updateVivaldi(other: other, roundTrip: filtered)
    updateAdjustment(other: other, roundTrip: filtered)
    updateGravity()
    // Serf resets a coordinate that went NaN or infinite. Beyond Serf, one
    // that went out of any plausible range is reset too: a peer sitting
    // just next to this node with a large height could otherwise push its
    // height to millions of seconds (finite, so valid to Serf), and every
    // other node would then refuse this node's coordinate.
    if !coordinate.isPlausible {
      resets += 1
      coordinate = origin
    }
    return coordinate
  }

  /// Drops what is kept about `peer` (it was reaped).
  public mutating func forget(_ peer: String) {
    latencySamples[peer] = nil
  }

  /// The estimated round trip from this node to `other`, including both
  /// adjustments (Serf's `Client.DistanceTo`); nil when they cannot be
  /// compared.
  public func estimatedRoundTrip(to other: SerfCoordinate) -> Duration? {
    coordinate.estimatedRoundTrip(to: other)
  }

  /// Adds a sample to `peer`'s recent round trips and returns their
  /// median (the upper one of an even count, as Serf).
  private mutating func latencyFilter(peer: String, seconds: Double) -> Double {
    var samples = latencySamples[peer] ?? []
    samples.append(seconds)
    if samples.count > settings.latencyFilterSize {
      samples.removeFirst(samples.count - settings.latencyFilterSize)
    }
    latencySamples[peer] = samples
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
  }

  /// The Vivaldi step [1]: the error moves towards this sample's relative
  /// error, and the coordinate moves along the line to `other` by a share
  /// of the estimate's error, both weighted by how sure each side is.
  private mutating func updateVivaldi(other: SerfCoordinate, roundTrip: Double) {
    let zeroThreshold = SerfCoordinate.zeroThreshold
    let distance = coordinate.distance(to: other)
    let rtt = max(roundTrip, zeroThreshold)
    let wrongness = abs(distance - rtt) / rtt
    let totalError = max(coordinate.error + other.error, zeroThreshold)
    let weight = coordinate.error / totalError
    let gain = settings.errorGain * weight
    coordinate.error = min(
      gain * wrongness + coordinate.error * (1 - gain), settings.errorMaximum)
    let force = settings.coordinateGain * weight * (rtt - distance)
    coordinate = coordinate.applyingForce(
      force, from: other, heightMinimum: settings.heightMinimum, random: &random)
  }

  /// The adjustment term [3]: half the mean of the last window's
  /// differences between the measured round trip and the raw distance.
  private mutating func updateAdjustment(other: SerfCoordinate, roundTrip: Double) {
    let window = adjustmentSamples.count
    guard window > 0 else { return }
    adjustmentSamples[adjustmentIndex] = roundTrip - coordinate.rawDistance(to: other)
    adjustmentIndex = (adjustmentIndex + 1) % window
    var sum = 0.0
    for sample in adjustmentSamples { sum += sample }
    coordinate.adjustment = sum / (2 * Double(window))
  }

  /// Gravity [2]: a pull towards the origin growing with the square of
  /// the distance to it, against drift of the whole system.
  private mutating func updateGravity() {
    let distance = origin.distance(to: coordinate)
    let ratio = distance / settings.gravityRho
    coordinate = coordinate.applyingForce(
      -(ratio * ratio), from: origin, heightMinimum: settings.heightMinimum, random: &random)
  }
}
