/// The regular expression of a Serf query's tag filter, matched in time
/// linear in the value (a Thompson automaton, as Go's RE2 does), so that
/// an expression from the network cannot stall the protocol thread the
/// way a backtracking engine can be made to.
///
/// The subset of RE2 it takes: literal characters, `.`, classes `[a-z_]`
/// and `[^…]`, `\d \w \s` and escaped punctuation, `*` `+` `?`, `|`,
/// groups `( )` and `(?: )`, and the anchors `^` `$`. Matching is
/// unanchored, as Go's `regexp.MatchString`. Anything else (counted
/// repetition, back references, flags) is refused at `init`.
public struct TagExpression: Sendable {
  /// The longest expression taken, in characters.
  public static let maximumLength = 256

  private indirect enum Node {
    case characters(CharacterSet)
    case sequence([Node])
    case choice([Node])
    case repeated(Node, minimum: Int, unbounded: Bool)
    case begin
    case end
  }

  private struct CharacterSet: Sendable {
    var ranges: [ClosedRange<Unicode.Scalar>]
    var negated: Bool
    func contains(_ scalar: Unicode.Scalar) -> Bool {
      ranges.contains { $0.contains(scalar) } != negated
    }
    static let any = CharacterSet(ranges: ["\n"..."\n"], negated: true)
    static func single(_ scalar: Unicode.Scalar) -> CharacterSet {
      CharacterSet(ranges: [scalar...scalar], negated: false)
    }
  }

  private enum State: Sendable {
    case consume(CharacterSet, next: Int)
    case split(Int, Int)
    case jump(Int)
    case begin(next: Int)
    case end(next: Int)
    case accept
  }

  private var states: [State] = []
  private var start = 0

  /// Compiles `expression`; nil when it is too long or outside the subset.
  public init?(_ expression: String) {
    let scalars = Array(expression.unicodeScalars)
    guard scalars.count <= Self.maximumLength else { return nil }
    var parser = Parser(scalars: scalars)
    guard let tree = parser.parseChoice(), parser.position == scalars.count else { return nil }
    let accept = append(.accept)
    guard let entry = compile(tree, next: accept) else { return nil }
    start = entry
  }

  /// Whether `value` contains a match.
  public func matches(_ value: String) -> Bool {
    let scalars = Array(value.unicodeScalars)
    var current: [Bool] = Array(repeating: false, count: states.count)
    var list: [Int] = []
    for position in 0...scalars.count {
      // Unanchored: a match may start anywhere.
      if addClosure(start, at: position, of: scalars, into: &current, list: &list) { return true }
      guard position < scalars.count else { break }
      var next: [Bool] = Array(repeating: false, count: states.count)
      var nextList: [Int] = []
      for index in list {
        guard case .consume(let set, let target) = states[index], set.contains(scalars[position])
        else { continue }
        if addClosure(target, at: position + 1, of: scalars, into: &next, list: &nextList) {
          return true
        }
      }
      current = next
      list = nextList
    }
    return false
  }

  /// Adds `state` and what it reaches without consuming; true when that
  /// includes acceptance.
  private func addClosure(
    _ state: Int, at position: Int, of scalars: [Unicode.Scalar], into seen: inout [Bool],
    list: inout [Int]
  ) -> Bool {
    var stack = [state]
    while let index = stack.popLast() {
      guard !seen[index] else { continue }
      seen[index] = true
      switch states[index] {
      case .accept: return true
      case .consume: list.append(index)
      case .split(let first, let second):
        stack.append(second)
        stack.append(first)
      case .jump(let next): stack.append(next)
      case .begin(let next): if position == 0 { stack.append(next) }
      case .end(let next): if position == scalars.count { stack.append(next) }
      }
    }
    return false
  }

  private mutating func append(_ state: State) -> Int {
    states.append(state)
    return states.count - 1
  }

  /// Compiles `node` so that it continues at `next`; returns its entry.
  /// Nil past a bounded number of states.
  private mutating func compile(_ node: Node, next: Int) -> Int? {
    guard states.count < 4 * Self.maximumLength else { return nil }
    switch node {
    case .characters(let set): return append(.consume(set, next: next))
    case .begin: return append(.begin(next: next))
    case .end: return append(.end(next: next))
    case .sequence(let parts):
      var entry = next
      for part in parts.reversed() {
        guard let compiled = compile(part, next: entry) else { return nil }
        entry = compiled
      }
      return entry
    case .choice(let options):
      guard var entry = options.last.flatMap({ compile($0, next: next) }) else { return nil }
      for option in options.dropLast().reversed() {
        guard let compiled = compile(option, next: next) else { return nil }
        entry = append(.split(compiled, entry))
      }
      return entry
    case .repeated(let inner, let minimum, let unbounded):
      if unbounded {
        // A loop: a split that either enters the body (which jumps back)
        // or leaves.
        let loop = append(.split(0, next))
        guard let body = compile(inner, next: loop) else { return nil }
        states[loop] = .split(body, next)
        if minimum == 0 { return loop }
        return body
      }
      // `?`
      guard let body = compile(inner, next: next) else { return nil }
      return append(.split(body, next))
    }
  }

  /// A recursive-descent parser of the subset; depth bounded by the
  /// expression's length.
  private struct Parser {
    let scalars: [Unicode.Scalar]
    var position = 0

    mutating func parseChoice() -> Node? {
      var options: [Node] = []
      while true {
        guard let sequence = parseSequence() else { return nil }
        options.append(sequence)
        guard position < scalars.count, scalars[position] == "|" else { break }
        position += 1
      }
      return options.count == 1 ? options[0] : .choice(options)
    }

    mutating func parseSequence() -> Node? {
      var parts: [Node] = []
      while position < scalars.count, scalars[position] != "|", scalars[position] != ")" {
        guard var atom = parseAtom() else { return nil }
        if position < scalars.count {
          switch scalars[position] {
          case "*": atom = .repeated(atom, minimum: 0, unbounded: true)
          case "+": atom = .repeated(atom, minimum: 1, unbounded: true)
          case "?": atom = .repeated(atom, minimum: 0, unbounded: false)
          default:
            parts.append(atom)
            continue
          }
          position += 1
          // A lazy or possessive suffix changes nothing for "does it
          // match"; a second repetition is refused.
          if position < scalars.count, scalars[position] == "?" { position += 1 }
          if position < scalars.count, "*+?{".unicodeScalars.contains(scalars[position]) {
            return nil
          }
        }
        parts.append(atom)
      }
      return parts.count == 1 ? parts[0] : .sequence(parts)
    }

    mutating func parseAtom() -> Node? {
      let scalar = scalars[position]
      position += 1
      switch scalar {
      case ".": return .characters(.any)
      case "^": return .begin
      case "$": return .end
      case "(":
        if position + 1 < scalars.count, scalars[position] == "?", scalars[position + 1] == ":" {
          position += 2
        } else if position < scalars.count, scalars[position] == "?" {
          return nil
        }
        guard let inner = parseChoice(), position < scalars.count, scalars[position] == ")" else {
          return nil
        }
        position += 1
        return inner
      case "[": return parseClass().map { .characters($0) }
      case "\\": return parseEscape().map { .characters($0) }
      case "*", "+", "?", "{", ")", "|": return nil
      default: return .characters(.single(scalar))
      }
    }

    mutating func parseEscape() -> CharacterSet? {
      guard position < scalars.count else { return nil }
      let scalar = scalars[position]
      position += 1
      switch scalar {
      case "d": return CharacterSet(ranges: ["0"..."9"], negated: false)
      case "D": return CharacterSet(ranges: ["0"..."9"], negated: true)
      case "w": return Self.word
      case "W": return CharacterSet(ranges: Self.word.ranges, negated: true)
      case "s": return Self.space
      case "S": return CharacterSet(ranges: Self.space.ranges, negated: true)
      case "n": return .single("\n")
      case "t": return .single("\t")
      default:
        // Only punctuation may be escaped; letters and digits name
        // classes or features outside the subset.
        guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar)
        else { return nil }
        return .single(scalar)
      }
    }

    mutating func parseClass() -> CharacterSet? {
      var set = CharacterSet(ranges: [], negated: false)
      if position < scalars.count, scalars[position] == "^" {
        set.negated = true
        position += 1
      }
      var first = true
      while position < scalars.count {
        var low = scalars[position]
        if low == "]" && !first {
          position += 1
          return set
        }
        first = false
        position += 1
        if low == "\\" {
          guard let escaped = parseEscape() else { return nil }
          if escaped.negated || escaped.ranges.count != 1
            || escaped.ranges[0].lowerBound != escaped.ranges[0].upperBound
          {
            guard !escaped.negated else { return nil }
            set.ranges += escaped.ranges
            continue
          }
          low = escaped.ranges[0].lowerBound
        }
        if position + 1 < scalars.count, scalars[position] == "-", scalars[position + 1] != "]" {
          let high = scalars[position + 1]
          position += 2
          guard low <= high else { return nil }
          set.ranges.append(low...high)
        } else {
          set.ranges.append(low...low)
        }
      }
      return nil
    }

    static let word = CharacterSet(
      ranges: ["a"..."z", "A"..."Z", "0"..."9", "_"..."_"], negated: false)
    static let space = CharacterSet(
      ranges: [" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r", "\u{0B}"..."\u{0C}"],
      negated: false)
  }
}
