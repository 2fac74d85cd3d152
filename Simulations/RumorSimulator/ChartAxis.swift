/// A linear chart axis whose ticks fall on round numbers (1, 2 or 5 times
/// a power of ten), so that labels read as "0 10 20 30" rather than as the
/// data's own awkward extremes.
struct ChartAxis {
  /// The value at the start of the axis.
  let lower: Double
  /// The value at the end of the axis.
  let upper: Double
  /// The distance between ticks.
  let step: Double

  /// An axis from `lower` to `upper` with ticks every `step`, for scales
  /// fixed in advance such as 0–100 %.
  init(lower: Double, upper: Double, step: Double) {
    let usable = lower.isFinite && upper.isFinite && upper > lower && step.isFinite && step > 0
    self.lower = usable ? lower : 0
    self.upper = usable ? upper : 1
    self.step = usable ? step : 0.2
  }

  /// An axis covering `low...high` with about `tickCount` ticks, on whole
  /// numbers only with `wholeNumbers` (counts of nodes or packets).
  init(covering low: Double, _ high: Double, tickCount: Int = 6, wholeNumbers: Bool = false) {
    var low = low.isFinite ? low : 0
    var high = high.isFinite ? high : low + 1
    if low > high { swap(&low, &high) }
    if !(high - low).isFinite {
      // Spans beyond what a Double holds cannot be drawn meaningfully.
      (low, high) = (0, 1)
    } else if high - low < 1e-9 {
      // A single value still needs a scale around it.
      (low, high) = low == 0 ? (0, 1) : (low - abs(low) / 2, high + abs(low) / 2)
    }
    let nice = Self.niceStep((high - low) / Double(max(1, tickCount - 1)))
    let step = wholeNumbers ? max(1, nice) : nice
    let lower = (low / step).rounded(.down) * step
    var upper = (high / step).rounded(.up) * step
    if upper <= lower { upper = lower + step }
    self.init(lower: lower, upper: upper, step: step)
  }

  /// The round step nearest `raw` (or the smallest one not below it, with
  /// `roundingUp`): 1, 2 or 5 times a power of ten.
  static func niceStep(_ raw: Double, roundingUp: Bool = false) -> Double {
    // Steps below a nanosecond or a packet mean nothing here, and the loop
    // below would run into subnormal numbers.
    guard raw.isFinite, raw > 1e-9 else { return raw.isFinite && raw > 0 ? 1e-9 : 1 }
    var magnitude = 1.0
    while magnitude * 10 <= raw { magnitude *= 10 }
    while magnitude > raw { magnitude /= 10 }
    let fraction = raw / magnitude
    let nice: Double
    if roundingUp {
      nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    } else {
      nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    }
    return nice * magnitude
  }

  /// The tick values, computed from their index so that errors do not add
  /// up along the axis.
  var ticks: [Double] {
    let count = min(1000, Int(((upper - lower) / step).rounded()))
    return (0...max(0, count)).map { lower + Double($0) * step }
  }

  /// Decimals that show every tick exactly (none for whole steps).
  var decimals: Int {
    var places = 0
    var scaled = step
    while places < 9 && abs(scaled - scaled.rounded()) > 1e-6 * max(1, scaled) {
      scaled *= 10
      places += 1
    }
    return places
  }

  /// The tick label of `value`.
  func label(_ value: Double) -> String {
    FixedDecimal.text(value, decimals: decimals)
  }

  /// Where `value` falls, from 0 at `lower` to 1 at `upper`.
  func fraction(_ value: Double) -> Double {
    (value - lower) / (upper - lower)
  }
}
