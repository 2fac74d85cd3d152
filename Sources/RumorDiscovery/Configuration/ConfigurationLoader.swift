import FoundationEssentials

/// Reading a configuration: from a file's text to the effective settings.
///
/// ```swift
/// let effective = try ConfigurationLoader.effective(file: nil, host: .current())
/// print(effective.mode, effective.service(named: "redis")?.url ?? "-")
/// ```
public enum ConfigurationLoader {
  /// The largest file read: configuration is a few kilobytes, so anything
  /// this big is a wrong path, not a configuration.
  public static let maximumFileSize = 1 << 20

  /// Parses and decodes a file's text; `file` names it in errors. Every
  /// decoding error is reported, not only the first; a syntax error stops
  /// parsing at its line.
  public static func decode(_ text: String, file: String) throws(ConfigurationErrors)
    -> DiscoveryConfiguration
  {
    let root: YAMLValue
    do {
      root = try YAMLParser.parse(text, file: file)
    } catch {
      throw ConfigurationErrors([ConfigurationError(error)])
    }
    let decoded = ConfigurationDecoder.decode(root, file: file)
    guard decoded.errors.isEmpty else {
      // In file order, as a reader fixes them; ties keep decoding order.
      let ordered = decoded.errors.enumerated().sorted { left, right in
        let leftPosition = left.element.position ?? SourcePosition(line: 0, column: 0)
        let rightPosition = right.element.position ?? SourcePosition(line: 0, column: 0)
        return (leftPosition, left.offset) < (rightPosition, right.offset)
      }
      throw ConfigurationErrors(ordered.map(\.element))
    }
    return decoded.configuration
  }

  /// Reads a file as UTF-8 text.
  public static func read(file: String) throws(ConfigurationErrors) -> String {
    let fail = { (message: String) in
      ConfigurationErrors([ConfigurationError(.file(file, nil), message)])
    }
    let data: [UInt8]
    switch LocalFile.bytes(file, limit: maximumFileSize) {
    case .success(let bytes): data = bytes
    case .failure(.missing): throw fail("no such file")
    case .failure(.directory): throw fail("is a directory, not a configuration file")
    case .failure(.unreadable(let reason)):
      throw fail("cannot be read: \(reason) (check the path and its permissions)")
    case .failure(.tooLarge):
      throw fail("is larger than \(maximumFileSize / 1024) KiB; is this the right file?")
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      let position = firstInvalidUTF8(in: data)
      throw ConfigurationErrors([
        ConfigurationError(
          .file(file, position), "not UTF-8 text; save the file as UTF-8 (is this a text file?)")
      ])
    }
    return text
  }

  /// Where the first byte that is not UTF-8 is, so that the error can
  /// point at it.
  static func firstInvalidUTF8(in data: [UInt8]) -> SourcePosition {
    var position = SourcePosition(line: 1, column: 1)
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = data.makeIterator()
    while case .valid(let encoded) = parser.parseScalar(from: &iterator) {
      if Unicode.UTF8.decode(encoded) == "\n" {
        position.line += 1
        position.column = 1
      } else {
        position.column += 1
      }
    }
    return position
  }

  /// Reads and decodes a file.
  public static func load(file: String) throws(ConfigurationErrors) -> DiscoveryConfiguration {
    try decode(try read(file: file), file: file)
  }

  /// The effective configuration: `file` (or `RUMOR_CONFIG` when nil; no
  /// file at all when neither is set) decoded, the environment applied
  /// over it, the mode detected and the conventions filled in.
  public static func effective(file: String?, host: HostEnvironment) throws(ConfigurationErrors)
    -> EffectiveConfiguration
  {
    let path = file ?? host.variable(EnvironmentVariable.configFile)
    let configuration = try path.map { path throws(ConfigurationErrors) in try load(file: path) }
    return try effective(configuration ?? DiscoveryConfiguration(), host: host)
  }

  /// The effective configuration of an already decoded file.
  public static func effective(_ configuration: DiscoveryConfiguration, host: HostEnvironment)
    throws(ConfigurationErrors) -> EffectiveConfiguration
  {
    var configuration = configuration
    var errors: [ConfigurationError] = []
    var overrides: EnvironmentOverrides?
    do {
      overrides = try EnvironmentOverrides(
        variables: host.variables, serviceNames: configuration.serviceNames)
    } catch {
      errors += error.errors
    }
    overrides?.apply(to: &configuration)
    var detection: ModeDetection?
    do {
      detection = try DeploymentModeDetector.detect(
        in: host, configured: configuration.mode,
        configuredAt: configuration.origins["deployment.mode"], domain: configuration.domain,
        domainOrigin: configuration.origins["deployment.domain"])
    } catch {
      errors.append(error)
    }
    guard errors.isEmpty, let detection else { throw ConfigurationErrors(errors) }
    var environment = overrides?.applied ?? []
    if case .variable = detection.reason {
      environment.insert(EnvironmentVariable.deploymentMode, at: 0)
    }
    return EffectiveConfiguration(
      resolving: configuration, detection: detection, host: host, environment: environment,
      notes: overrides?.notes ?? [])
  }
}
