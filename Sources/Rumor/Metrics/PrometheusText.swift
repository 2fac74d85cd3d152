/// A writer of Prometheus's text exposition format 0.0.4: each metric
/// family once, with its `# HELP` and `# TYPE` lines, then its samples.
///
/// Strict by construction, whatever the names and values fed to it: a
/// family added twice is merged (same type) or refused (another type),
/// so no name repeats; a sample with the same labels as an earlier one
/// replaces it; characters a metric or label name may not hold become
/// `_`; label values are escaped (`\\`, `\"`, `\n`), as is help text.
public struct PrometheusText: Sendable {
  /// The type of a family.
  public enum Kind: String, Sendable {
    /// Only goes up (restarts aside); names end in `_total`.
    case counter
    /// Goes up and down.
    case gauge
  }

  /// One sample: its labels, in order, and its value.
  public struct Sample: Sendable {
    /// Label names and values.
    public var labels: [(name: String, value: String)]
    /// The value.
    public var value: Double

    /// A sample of `value` with `labels`.
    public init(_ labels: [(name: String, value: String)] = [], _ value: Double) {
      self.labels = labels
      self.value = value
    }

    /// A sample of a whole number.
    public init(_ labels: [(name: String, value: String)] = [], _ value: Int) {
      self.init(labels, Double(value))
    }
  }

  private struct Family: Sendable {
    let kind: Kind
    let help: String
    var samples: [String: Double] = [:]
    var order: [String] = []
  }

  private var families: [String: Family] = [:]
  private var order: [String] = []

  /// The content type to serve the text with.
  public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

  /// An empty exposition.
  public init() {}

  /// Adds `samples` to the family `name` (made valid, see the type's
  /// doc). Returns false, adding nothing, when the family exists with
  /// another kind.
  @discardableResult
  public mutating func add(_ name: String, _ kind: Kind, help: String, _ samples: [Sample]) -> Bool
  {
    let name = Self.metricName(name)
    var family = families[name] ?? Family(kind: kind, help: help)
    guard family.kind == kind else { return false }
    if families[name] == nil { order.append(name) }
    for sample in samples {
      let key = Self.labelText(sample.labels)
      if family.samples.updateValue(sample.value, forKey: key) == nil {
        family.order.append(key)
      }
    }
    families[name] = family
    return true
  }

  /// Adds one sample.
  @discardableResult
  public mutating func add(
    _ name: String, _ kind: Kind, help: String, labels: [(name: String, value: String)] = [],
    _ value: Int
  ) -> Bool {
    add(name, kind, help: help, [Sample(labels, value)])
  }

  /// The exposition, families in the order first added, each line ending
  /// in a newline.
  public var text: String {
    var text = ""
    for name in order {
      guard let family = families[name] else { continue }
      text += "# HELP \(name) \(Self.escapeHelp(family.help))\n"
      text += "# TYPE \(name) \(family.kind.rawValue)\n"
      for key in family.order {
        guard let value = family.samples[key] else { continue }
        text += "\(name)\(key) \(Self.format(value))\n"
      }
    }
    return text
  }

  /// `name` with every character a metric name may not hold
  /// (`[a-zA-Z_:][a-zA-Z0-9_:]*`) replaced by `_`; "_" for an empty one.
  static func metricName(_ name: String) -> String {
    sanitized(name, allowsColon: true)
  }

  /// A label name: `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__`
  /// (reserved), which gets an `x` in front.
  static func labelName(_ name: String) -> String {
    let clean = sanitized(name, allowsColon: false)
    return clean.hasPrefix("__") ? "x" + clean : clean
  }

  private static func sanitized(_ name: String, allowsColon: Bool) -> String {
    var scalars = String.UnicodeScalarView()
    for (index, scalar) in name.unicodeScalars.enumerated() {
      let ok: Bool
      switch scalar {
      case "a"..."z", "A"..."Z", "_": ok = true
      case "0"..."9": ok = index > 0
      case ":": ok = allowsColon
      default: ok = false
      }
      scalars.append(ok ? scalar : "_")
    }
    return scalars.isEmpty ? "_" : String(scalars)
  }

  /// `{a="1",b="2"}`, or "" without labels; repeated names keep the first.
  static func labelText(_ labels: [(name: String, value: String)]) -> String {
    guard !labels.isEmpty else { return "" }
    var seen: Set<String> = []
    var parts: [String] = []
    for label in labels {
      let name = labelName(label.name)
      guard seen.insert(name).inserted else { continue }
      parts.append("\(name)=\"\(escapeLabelValue(label.value))\"")
    }
    return "{" + parts.joined(separator: ",") + "}"
  }

  /// A label value with `\`, `"` and line feeds escaped.
  static func escapeLabelValue(_ value: String) -> String {
    var text = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\\": text += "\\\\"
      case "\"": text += "\\\""
      case "\n": text += "\\n"
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  /// Help text with `\` and line feeds escaped.
  static func escapeHelp(_ help: String) -> String {
    var text = ""
    for scalar in help.unicodeScalars {
      switch scalar {
      case "\\": text += "\\\\"
      case "\n": text += "\\n"
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  /// A value as the format spells it: whole numbers without a fraction,
  /// `NaN`, `+Inf`, `-Inf`.
  static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    if value == value.rounded(), abs(value) < 9.0e15 { return String(Int64(value)) }
    return String(value)
  }
}
