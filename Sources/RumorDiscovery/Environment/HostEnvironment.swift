import FoundationEssentials

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// What the configuration may learn from the machine it runs on:
/// environment variables, a few files (`/.dockerenv`, the cgroup, the
/// pod's namespace), the host name and process id.
///
/// Injected rather than read from globals so that mode detection and
/// overrides are pure functions: a test describes a Kubernetes pod or a
/// Docker container in a dictionary and a closure, and needs neither.
public struct HostEnvironment: Sendable {
  /// The environment variables.
  public var variables: [String: String]
  /// The machine's host name (a container's id in Docker, the pod's name
  /// in Kubernetes).
  public var hostName: String
  /// This process's id, to tell apart nodes on one machine.
  public var processID: Int32
  /// A file's contents, or nil when it does not exist or cannot be read.
  public var readFile: @Sendable (_ path: String) -> String?

  /// Creates an environment; by default, no variables and no files.
  public init(
    variables: [String: String] = [:], hostName: String = "localhost", processID: Int32 = 1,
    readFile: @escaping @Sendable (_ path: String) -> String? = { _ in nil }
  ) {
    self.variables = variables
    self.hostName = hostName
    self.processID = processID
    self.readFile = readFile
  }

  /// This process's environment, host name and files.
  public static func current() -> HostEnvironment {
    HostEnvironment(
      variables: ProcessInfo.processInfo.environment, hostName: localHostName(),
      processID: ProcessInfo.processInfo.processIdentifier,
      readFile: { path in LocalFile.text(path) })
  }

  /// The value of a variable, spaces trimmed; nil when unset or empty, so
  /// that `REDIS_HOST=` in a Compose file means "not set".
  public func variable(_ name: String) -> String? {
    guard let value = variables[name]?.trimmingWhitespace, !value.isEmpty else {
      return nil
    }
    return value
  }

  private static func localHostName() -> String {
    // gethostname, not ProcessInfo.hostName, which may wait on DNS.
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    let name = String(
      decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return name.isEmpty ? "localhost" : name
  }
}
