/// Where a service listens, as advertised in its `svc.<name>` tag:
/// `scheme://host:port/path`. An empty host means "the advertising node's
/// own address", so one tag works on every machine (`redis://:6379`).
public struct ServiceURL: Hashable, Sendable, CustomStringConvertible {
  /// The scheme, lowercase (`http`, `redis`).
  public var scheme: String
  /// The host; empty for the node's own address.
  public var host: String
  /// The port.
  public var port: UInt16
  /// The path, empty or starting with `/`.
  public var path: String

  /// Creates a URL.
  public init(scheme: String, host: String = "", port: UInt16, path: String = "") {
    self.scheme = scheme
    self.host = host
    self.port = port
    self.path = path
  }

  /// Parses `scheme://[host]:port[/path]`. The port is required: a
  /// default port would be a guess, and a resolver must not guess.
  public init(parsing text: String) throws(InvalidValue) {
    let example =
      "write scheme://host:port/path, e.g. http://:8001/api (an empty host means this node)"
    guard let separator = text.firstRange(of: "://") else {
      throw InvalidValue("'\(text)' is not a URL; \(example)")
    }
    let scheme = String(text[..<separator.lowerBound])
    try Self.validateScheme(scheme)
    let rest = text[separator.upperBound...]
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let authority = String(rest[..<slash])
    let path = String(rest[slash...])
    guard !authority.contains("@") else {
      throw InvalidValue("'\(text)' carries credentials; keep secrets out of gossip tags")
    }
    guard
      path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
    else {
      throw InvalidValue("the path of '\(text)' has spaces or other characters to percent-encode")
    }
    let address: HostAndPort
    if !authority.contains(":") {
      throw InvalidValue(
        "'\(text)' has no port; write \(scheme)://\(authority.isEmpty ? "HOST" : authority):PORT\(path) (an empty host means this node: \(scheme)://:PORT\(path))"
      )
    } else if authority.hasPrefix(":") {
      guard let port = UInt16(authority.dropFirst()), port > 0 else {
        throw InvalidValue("'\(authority.dropFirst())' in '\(text)' is not a port (1 to 65535)")
      }
      address = HostAndPort(host: "", port: port)
    } else {
      do throws(InvalidValue) {
        address = try HostAndPort(parsing: authority)
      } catch {
        throw InvalidValue("the host and port of '\(text)': \(error.reason)")
      }
    }
    self.init(scheme: scheme, host: address.host, port: address.port, path: path)
  }

  /// Checks a scheme: a lowercase letter, then letters, digits, `+`, `-`
  /// or `.` (RFC 3986, lowercase as the canonical form).
  public static func validateScheme(_ scheme: String) throws(InvalidValue) {
    let scalars = scheme.unicodeScalars
    guard let first = scalars.first, ("a"..."z").contains(first),
      scalars.allSatisfy({
        ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == "."
      })
    else {
      throw InvalidValue(
        "'\(scheme)' is not a URL scheme (lowercase letters, digits, '+', '-', '.'; e.g. http, redis)"
      )
    }
  }

  /// `scheme://host:port/path`, with brackets around an IPv6 host.
  public var description: String {
    let authority = host.contains(":") ? "[\(host)]" : host
    return "\(scheme)://\(authority):\(port)\(path)"
  }
}
