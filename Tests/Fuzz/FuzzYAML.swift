// libFuzzer target `yaml`: the YAML subset's parser
// (`YAMLParser.parse`) on the input as UTF-8 text (invalid sequences
// replaced, as a file read would be rejected earlier), then the
// configuration decoder on what it parsed. Errors are expected; traps,
// hangs and runaway memory are not.

@testable import RumorDiscovery

/// The `yaml` target.
func fuzzYAML(_ input: [UInt8]) {
  let text = String(decoding: input, as: UTF8.self)
  let root: YAMLValue
  do {
    root = try YAMLParser.parse(text, file: "fuzz.yml")
  } catch {
    if error.description.isEmpty { fatalError("an error without a description") }
    return
  }
  let decoded = ConfigurationDecoder.decode(root, file: "fuzz.yml")
  var total = 0
  for error in decoded.errors { total &+= error.description.utf8.count }
  if total == -1 { print(decoded.configuration) }
}
