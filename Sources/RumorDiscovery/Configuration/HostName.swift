import RumorWire

/// Checks of host names and addresses as they appear in configuration.
public enum HostName {
  /// Whether `text` is a numeric IPv4 or IPv6 address (IPv6 without
  /// brackets).
  public static func isIPAddress(_ text: String) -> Bool {
    // inet_pton stops at a NUL; only address characters may reach it.
    guard !text.isEmpty, text.unicodeScalars.allSatisfy({ isAddressCharacter($0) }) else {
      return false
    }
    return IPAddress.parse(text) != nil
  }

  /// Checks a host: a numeric address or a DNS name (labels of letters,
  /// digits, `-` and `_`, up to 63 characters each and 253 in all; `_` is
  /// allowed because Docker Compose names containers with it).
  public static func validate(_ text: String) throws(InvalidValue) {
    if isIPAddress(text) { return }
    guard !text.isEmpty else { throw InvalidValue("a host name is empty") }
    if text.contains("://") {
      throw InvalidValue("'\(text)' is a URL; give the host name alone")
    }
    guard text.unicodeScalars.count <= 253 else {
      throw InvalidValue("a host name is longer than 253 characters")
    }
    let name = text.hasSuffix(".") ? String(text.dropLast()) : text
    for label in name.split(separator: ".", omittingEmptySubsequences: false) {
      guard !label.isEmpty, label.unicodeScalars.count <= 63,
        label.unicodeScalars.allSatisfy({ isLabelCharacter($0) }),
        label.first != "-", label.last != "-"
      else {
        throw InvalidValue(
          "'\(text)' is not a host name or IP address (DNS labels of letters, digits, '-' and '_', separated by dots)"
        )
      }
    }
  }

  /// Checks a DNS domain (`autobot.prod`): a host name that is not an
  /// address.
  public static func validateDomain(_ text: String) throws(InvalidValue) {
    guard !isIPAddress(text) else {
      throw InvalidValue("'\(text)' is an IP address; a domain is a DNS name such as autobot.prod")
    }
    try validate(text)
  }

  /// Checks a Kubernetes namespace: an RFC 1123 label (lowercase letters,
  /// digits and `-`, at most 63).
  public static func validateNamespace(_ text: String) throws(InvalidValue) {
    guard isLowercaseLabel(text) else {
      throw InvalidValue(
        "'\(text)' is not a Kubernetes namespace (lowercase letters, digits and '-', at most 63, starting and ending with a letter or digit)"
      )
    }
  }

  /// Whether `text` is a lowercase DNS label (RFC 1123): what service
  /// names and namespaces must be, so that they fit in host names.
  static func isLowercaseLabel(_ text: String) -> Bool {
    let scalars = text.unicodeScalars
    guard let first = scalars.first, let last = scalars.last, scalars.count <= 63 else {
      return false
    }
    return first != "-" && last != "-"
      && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
  }

  private static func isLabelCharacter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
      || scalar == "-" || scalar == "_"
  }

  private static func isAddressCharacter(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar) || ("a"..."f").contains(scalar) || ("A"..."F").contains(scalar)
      || scalar == ":" || scalar == "."
  }
}
