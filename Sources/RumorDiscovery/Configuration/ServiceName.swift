/// The rule for service names (`redis`, `ai-stack`): lowercase DNS labels,
/// because a name becomes part of host names (`autobot-ai-stack`,
/// `ai-stack-service.<namespace>...`), of environment variables
/// (`AI_STACK_HOST`) and of gossip tags (`svc.ai-stack`).
public enum ServiceName {
  /// Checks a service name.
  public static func validate(_ name: String) throws(InvalidValue) {
    guard HostName.isLowercaseLabel(name) else {
      var reason =
        "'\(name)' is not a service name: use lowercase letters, digits and '-' (at most 63, starting and ending with a letter or digit)"
      let lowered = String(name.lowercased().map { $0 == "_" || $0 == " " ? "-" : $0 })
      if lowered != name, HostName.isLowercaseLabel(lowered) { reason += ", e.g. '\(lowered)'" }
      throw InvalidValue(reason)
    }
  }
}
