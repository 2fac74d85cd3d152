import CommandLineSupport
import Foundation

let status = await RumorCommandLine.run(
  Array(CommandLine.arguments.dropFirst()),
  console: Console(
    // Written straight through (no stdio buffer), so that an agent's log
    // reaches whoever reads the pipe (a supervisor, a test) as it happens.
    out: { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) },
    err: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }))
exit(status)
