import CommandLineSupport
import Foundation

let status = await RumorCommandLine.run(
  Array(CommandLine.arguments.dropFirst()),
  console: Console(
    out: { print($0) },
    err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
exit(status)
