// libFuzzer target `json`: the JSON parser (`JSONParser`), which reads
// the agent API's request bodies. It must never trap, never nest deeper
// than its limit, and what it reads must read back the same once written.

import RumorWire

/// The `json` target.
func fuzzJSON(_ input: [UInt8]) {
  guard let value = try? JSONParser.parse(input) else { return }
  let written = Array(value.text.utf8)
  guard let again = try? JSONParser.parse(written) else {
    fatalError("the parser refused what the writer wrote: \(value.text)")
  }
  if again.text != value.text { fatalError("a round trip changed \(value.text)") }
}

/// Example bodies.
let jsonSeeds: [[UInt8]] = [
  #"{"team":"blue","zone":"a"}"#, #"{"url":"http://:8080","check":"/health"}"#,
  #"[1,-2.5e3,true,false,null,"\u00e9\ud83d\ude00"]"#, "[[[[[]]]]]",
].map { Array($0.utf8) }
