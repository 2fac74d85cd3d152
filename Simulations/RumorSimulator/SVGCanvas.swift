/// An SVG document being drawn: elements with escaped text and
/// fixed-precision coordinates, so equal drawings give equal bytes.
struct SVGCanvas {
  /// Horizontal anchoring of a text.
  enum Anchor: String {
    case start, middle, end
  }

  /// The document's width in pixels.
  let width: Double
  /// The document's height in pixels.
  let height: Double
  private var body = ""

  /// An empty canvas of the given size.
  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// A coordinate or length as attribute text: a tenth of a pixel is finer
  /// than any screen shows.
  static func coordinate(_ value: Double) -> String {
    FixedDecimal.text(value, decimals: 1)
  }

  /// `text` safe inside XML character data and quoted attributes; control
  /// characters XML 1.0 forbids are dropped, as no escape can carry them.
  static func escape(_ text: String) -> String {
    var escaped = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&apos;"
      case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
      default:
        if scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF {
          escaped.unicodeScalars.append(scalar)
        }
      }
    }
    return escaped
  }

  /// Adds a line.
  mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, className: String) {
    let c = Self.coordinate
    body +=
      "<line class=\"\(className)\" x1=\"\(c(x1))\" y1=\"\(c(y1))\" x2=\"\(c(x2))\" y2=\"\(c(y2))\"/>\n"
  }

  /// Adds a rectangle.
  mutating func rect(x: Double, y: Double, width: Double, height: Double, className: String) {
    let c = Self.coordinate
    body +=
      "<rect class=\"\(className)\" x=\"\(c(x))\" y=\"\(c(y))\" width=\"\(c(max(0, width)))\" height=\"\(c(max(0, height)))\"/>\n"
  }

  /// Adds a circle.
  mutating func circle(x: Double, y: Double, radius: Double, className: String) {
    let c = Self.coordinate
    body += "<circle class=\"\(className)\" cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(radius))\"/>\n"
  }

  /// Adds a path; `data` is built from `coordinate`-formatted numbers.
  mutating func path(_ data: String, className: String) {
    guard !data.isEmpty else { return }
    body += "<path class=\"\(className)\" d=\"\(data)\"/>\n"
  }

  /// Path data joining `points` with straight lines.
  static func polylineData(_ points: [(x: Double, y: Double)]) -> String {
    var data = ""
    for (index, point) in points.enumerated() {
      data += index == 0 ? "M" : " L"
      data += "\(coordinate(point.x)) \(coordinate(point.y))"
    }
    return data
  }

  /// Adds a text whose baseline starts, is centred or ends at `x`,
  /// optionally turned by `rotation` degrees around its anchor point.
  ///
  /// Text whose estimated width (`emWidth` em per character at
  /// `fontSize`) exceeds `maxWidth` is squeezed to that width: without
  /// font metrics the estimate is rough, and slightly narrow letters read
  /// better than words cut off at the edge of the picture.
  mutating func text(
    _ content: String, x: Double, y: Double, className: String, anchor: Anchor = .start,
    rotation: Double = 0, maxWidth: Double? = nil, fontSize: Double = 12, emWidth: Double = 0.52
  ) {
    let c = Self.coordinate
    let turn = rotation == 0 ? "" : " transform=\"rotate(\(c(rotation)) \(c(x)) \(c(y)))\""
    var squeeze = ""
    if let maxWidth, Double(content.count) * fontSize * emWidth > maxWidth {
      squeeze = " textLength=\"\(c(maxWidth))\" lengthAdjust=\"spacingAndGlyphs\""
    }
    body +=
      "<text class=\"\(className)\" x=\"\(c(x))\" y=\"\(c(y))\" text-anchor=\"\(anchor.rawValue)\"\(turn)\(squeeze)>\(Self.escape(content))</text>\n"
  }

  /// The whole document: `title` for screen readers and tab titles, `style`
  /// as an embedded style sheet (no external resources).
  func document(title: String, style: String) -> String {
    let w = Self.coordinate(width)
    let h = Self.coordinate(height)
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="\(h)" viewBox="0 0 \(w) \(h)">
      <title>\(Self.escape(title))</title>
      <style>
      \(style)
      </style>
      <rect class="background" x="0" y="0" width="\(w)" height="\(h)"/>
      \(body)</svg>

      """
  }
}
