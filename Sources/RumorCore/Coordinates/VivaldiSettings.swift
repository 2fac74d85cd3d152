import RumorWire

/// The settings of the Vivaldi network coordinates (Serf's
/// `coordinate.Config`). The defaults are Serf's `DefaultConfig`, so that
/// Rumor and Serf nodes compute coordinates in one space; change them only
/// in a cluster without Serf agents.
///
/// The papers the settings come from: [1] Dabek et al., "Vivaldi: a
/// decentralized network coordinate system", SIGCOMM 2004; [2] Ledlie et
/// al., "Network coordinates in the wild", NSDI 2007; [3] Lee et al., "On
/// suitability of Euclidean embedding for host-based network coordinate
/// systems", IEEE/ACM ToN 2010.
public struct VivaldiSettings: Sendable, Hashable {
  /// Dimensions of the Euclidean part (`Dimensionality`). Serf's 8; a
  /// coordinate of another size is refused. 8.
  public var dimensions = 8
  /// A new node's error, and the most it can grow to (`VivaldiErrorMax`).
  /// 1.5.
  public var errorMaximum = 1.5
  /// How much one observation can change the node's error (`VivaldiCE`,
  /// [1]). 0.25.
  public var errorGain = 0.25
  /// How much one observation can move the node's coordinate
  /// (`VivaldiCC`, [1]). 0.25.
  public var coordinateGain = 0.25
  /// Observations kept to compute the adjustment term
  /// (`AdjustmentWindowSize`, [3]); 0 turns the adjustment off. 20.
  public var adjustmentWindow = 20
  /// The least height, in seconds (`HeightMin`). 10 µs.
  public var heightMinimum = 10.0e-6
  /// Round-trip samples kept per member, whose median is what an update
  /// uses (`LatencyFilterSize`, [2]): rides out one slow answer. 3.
  public var latencyFilterSize = 3
  /// How strongly coordinates are pulled back to the origin, so that the
  /// whole system does not drift (`GravityRho`, [2]). 150.
  public var gravityRho = 150.0

  /// The most dimensions allowed: this node's coordinate must fit in an
  /// ack payload (`SWIMNode.maximumAckPayload`; 32 take 348 bytes).
  public static let maximumDimensions = 32

  /// Serf's defaults.
  public init() {}

  /// Reports every invalid setting at once.
  public func validate() throws(SettingsError) {
    var problems: [String] = []
    if !(1...Self.maximumDimensions).contains(dimensions) {
      problems.append(
        "coordinate dimensions must be 1 to \(Self.maximumDimensions) (is \(dimensions))"
      )
    }
    func positive(_ value: Double, _ name: String) {
      if !(value.isFinite && value > 0) {
        problems.append("\(name) must be above zero (is \(value))")
      }
    }
    positive(errorMaximum, "coordinate error maximum")
    positive(errorGain, "coordinate error gain")
    positive(coordinateGain, "coordinate gain")
    positive(heightMinimum, "coordinate height minimum")
    positive(gravityRho, "coordinate gravity rho")
    if !(0...1024).contains(adjustmentWindow) {
      problems.append("coordinate adjustment window must be 0 to 1024 (is \(adjustmentWindow))")
    }
    if !(1...64).contains(latencyFilterSize) {
      problems.append("coordinate latency filter size must be 1 to 64 (is \(latencyFilterSize))")
    }
    if !problems.isEmpty { throw SettingsError(problems: problems) }
  }
}
