import Foundation
import RumorCore
import Testing

@testable import RumorDiscovery

/// Seeded random and mutated inputs through the parser and the decoder:
/// nothing may trap, and every error must point inside the text. A
/// failure names the seed and index that reproduce it.
@Suite("The YAML subset: a total parser")
struct YAMLFuzzTests {
  /// Characters that matter to YAML, weighted toward structure.
  static let alphabet: [String] = [
    " ", " ", " ", "  ", "\n", "\n", "\t", "\r", "\r\n", ":", ": ", "-", "- ", "#", " #", "'",
    "\"", "\\", "\\u", "\\x4", "[", "]", "{", "}", "&", "*", "!", "|", ">", "%", "@", "`", "?",
    ",", "---", "...", "a", "key", "0", "65535", "é", "\u{FEFF}", "\u{0}", "\u{7F}", "\u{1F600}",
    "\u{85}", "\u{2028}",
  ]

  static let seeds: [UInt64] = [1, 2, 3, 4]

  @Test(
    "thousands of mutated configurations parse or fail with an in-bounds position", arguments: seeds
  )
  func mutatedInputs(seed: UInt64) throws {
    let corpus = try Self.corpus()
    var generator = SplitMix64(seed: seed)
    var accepted = 0
    var rejected = 0
    for index in 0..<1500 {
      let input = Self.mutate(corpus[generator.below(corpus.count)], using: &generator)
      let lineCount = input.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count + 1
      do {
        let value = try YAMLParser.parse(input, file: "fuzz.yml")
        accepted += 1
        // Whatever parses must also decode or fail cleanly.
        if let configuration = try? ConfigurationLoader.decode(input, file: "fuzz.yml") {
          _ = try? ConfigurationLoader.effective(configuration, host: HostEnvironment())
          _ = configuration.json.text
        }
        _ = value.kindDescription
      } catch {
        rejected += 1
        let inBounds =
          error.position.line >= 1 && error.position.line <= lineCount && error.position.column >= 1
        #expect(inBounds, "seed \(seed) input \(index): \(error) for \(input.debugDescription)")
        #expect(!error.message.isEmpty)
      }
    }
    // Both outcomes must be common, or the inputs miss the parser.
    #expect(accepted > 100, "only \(accepted) accepted")
    #expect(rejected > 100, "only \(rejected) rejected")
  }

  @Test("random strings over YAML's alphabet never trap")
  func randomInputs() {
    var generator = SplitMix64(seed: 99)
    for _ in 0..<2000 {
      var input = ""
      for _ in 0..<generator.below(80) {
        input += Self.alphabet[generator.below(Self.alphabet.count)]
      }
      _ = try? YAMLParser.parse(input, file: "fuzz.yml")
      _ = try? ConfigurationLoader.decode(input, file: "fuzz.yml")
    }
  }

  /// The shipped files and the tests' own examples.
  static func corpus() throws -> [String] {
    var corpus = try ShippedFiles.names.map { try ShippedFiles.text($0) }
    corpus += [
      "a:\n  - b: 1\n    c: [x]\n  - 'q''s'\n",
      "advertise:\n  backend:\n    url: http://:8001/api\n    check:\n      type: http\n      interval: 5s\n",
      "x: \"\\u00e9\\n\"\ny:\n- - a\n  - b\n",
    ]
    return corpus
  }

  /// One to four edits: insert, delete, duplicate or swap lines, reindent,
  /// truncate.
  static func mutate(_ text: String, using generator: inout SplitMix64) -> String {
    var scalars = Array(text.unicodeScalars)
    for _ in 0...generator.below(4) {
      let position = generator.below(scalars.count + 1)
      switch generator.below(6) {
      case 0:
        let insert = alphabet[generator.below(alphabet.count)].unicodeScalars
        scalars.insert(contentsOf: insert, at: position)
      case 1:
        let end = min(scalars.count, position + generator.below(12))
        scalars.removeSubrange(position..<end)
      case 2:
        var lines = String(String.UnicodeScalarView(scalars)).components(separatedBy: "\n")
        let line = generator.below(lines.count)
        lines.insert(lines[line], at: generator.below(lines.count + 1))
        scalars = Array(lines.joined(separator: "\n").unicodeScalars)
      case 3:
        var lines = String(String.UnicodeScalarView(scalars)).components(separatedBy: "\n")
        lines.swapAt(generator.below(lines.count), generator.below(lines.count))
        scalars = Array(lines.joined(separator: "\n").unicodeScalars)
      case 4:
        var lines = String(String.UnicodeScalarView(scalars)).components(separatedBy: "\n")
        let line = generator.below(lines.count)
        lines[line] =
          String(repeating: " ", count: generator.below(7)) + lines[line].drop { $0 == " " }
        scalars = Array(lines.joined(separator: "\n").unicodeScalars)
      default:
        scalars.removeSubrange(position...)
      }
    }
    return String(String.UnicodeScalarView(scalars))
  }
}
