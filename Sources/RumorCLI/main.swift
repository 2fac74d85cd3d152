import CommandLineSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

let status = await RumorCommandLine.run(
  Array(CommandLine.arguments.dropFirst()),
  console: Console(
    // Written straight through (no stdio buffer), so that an agent's log
    // reaches whoever reads the pipe (a supervisor, a test) as it happens.
    out: { writeAll($0 + "\n", to: 1) },
    err: { writeAll($0 + "\n", to: 2) }))
exit(status)
