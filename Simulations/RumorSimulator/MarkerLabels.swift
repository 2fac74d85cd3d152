/// Places the labels of vertical marker lines (convergence, fault, mean…)
/// beside their lines so that they neither overlap each other nor leave
/// the plot: markers a second apart on a minute-long axis are only a few
/// pixels apart.
struct MarkerLabels {
  /// Where a label goes.
  struct Placement {
    /// The anchor's x.
    var x: Double
    /// The baseline's y.
    var y: Double
    /// Which end of the text is at `x`.
    var anchor: SVGCanvas.Anchor
  }

  /// A side of the marker lines and the rows labels take there.
  struct Lane {
    /// `.start`: right of the line; `.end`: left of it.
    var anchor: SVGCanvas.Anchor
    /// The baseline of the first row.
    var firstBaseline: Double
    /// How far each further row moves (negative: upwards).
    var rowStep: Double
  }

  private let left: Double
  private let right: Double
  private let lanes: [Lane]
  private let fontSize: Double
  private var taken: [(from: Double, to: Double, baseline: Double)] = []
  /// The drawn curve, in pixels, x not decreasing: labels keep off it
  /// where they can.
  var curve: [(x: Double, y: Double)] = []

  /// Labels within `left...right`, tried in `lanes` in order, row by row;
  /// the lanes say where a chart's curve leaves room.
  init(left: Double, right: Double, lanes: [Lane], fontSize: Double) {
    self.left = left
    self.right = right
    self.lanes = lanes
    self.fontSize = fontSize
  }

  /// An estimate of the width of `text` in the labels' bold font; there
  /// are no font metrics without a renderer, and bold sans-serif digits
  /// and letters average about 0.6 em.
  func width(of text: String) -> Double {
    Double(text.count) * fontSize * 0.62
  }

  /// Finds room for `text` beside a marker at `lineX`: the first lane, and
  /// its first row, where it fits inside the plot, clear of earlier labels and of the
  /// curve; failing that, the first clear of labels only (the text's halo
  /// keeps it readable over the curve).
  mutating func place(_ text: String, at lineX: Double) -> Placement {
    let width = width(of: text)
    let gap = 4.0
    for avoidCurve in [true, false] {
      // Lane by lane, so that labels stack where the chart has room rather
      // than scatter to whichever side has a free first row.
      for lane in lanes {
        for row in 0..<4 {
          let from = lane.anchor == .end ? lineX - gap - width : lineX + gap
          let to = from + width
          let baseline = lane.firstBaseline + Double(row) * lane.rowStep
          guard from >= left, to <= right else { continue }
          let clear = taken.allSatisfy {
            abs($0.baseline - baseline) >= fontSize + 2 || $0.to + gap < from || to + gap < $0.from
          }
          guard clear, !avoidCurve || !curveCrosses(from: from, to: to, baseline: baseline) else {
            continue
          }
          taken.append((from, to, baseline))
          return Placement(x: lane.anchor == .end ? to : from, y: baseline, anchor: lane.anchor)
        }
      }
    }
    // Nowhere free: a row of its own, inside the plot, beats clipping.
    let lane = lanes.first ?? Lane(anchor: .start, firstBaseline: 0, rowStep: fontSize + 4)
    let baseline = lane.firstBaseline + Double(4 + taken.count) * lane.rowStep
    let from = min(max(left, lineX + gap), max(left, right - width))
    taken.append((from, from + width, baseline))
    return Placement(x: from, y: baseline, anchor: .start)
  }

  /// Whether the curve passes through the box of a label from `from` to
  /// `to` on `baseline`.
  private func curveCrosses(from: Double, to: Double, baseline: Double) -> Bool {
    let top = baseline - fontSize
    let bottom = baseline + 4
    // Curves are sorted by x: skip to the first segment reaching the box.
    var low = 0
    var high = curve.count
    while low < high {
      let middle = (low + high) / 2
      if curve[middle].x < from { low = middle + 1 } else { high = middle }
    }
    var index = max(0, low - 1)
    while index < curve.count {
      let p = curve[index]
      let q = index + 1 < curve.count ? curve[index + 1] : p
      if p.x > to { break }
      let start = max(from, p.x)
      let end = min(to, q.x)
      if start <= end {
        let run = q.x - p.x
        let y1 = run > 0 ? p.y + (q.y - p.y) * (start - p.x) / run : p.y
        let y2 = run > 0 ? p.y + (q.y - p.y) * (end - p.x) / run : q.y
        if max(y1, y2) >= top && min(y1, y2) <= bottom { return true }
      }
      index += 1
    }
    return false
  }
}
