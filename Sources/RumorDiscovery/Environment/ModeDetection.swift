/// The deployment mode in effect and the rule that chose it.
public struct ModeDetection: Hashable, Sendable, CustomStringConvertible {
  /// Why the mode is what it is, in the order the rules are tried.
  public enum Reason: Hashable, Sendable {
    /// `AUTOBOT_DEPLOYMENT_MODE` was set.
    case variable
    /// The configuration file's `deployment.mode`.
    case configured(ValueOrigin?)
    /// `KUBERNETES_SERVICE_HOST` was set: this is a pod.
    case kubernetes
    /// This is a container; the evidence (a file, a cgroup line).
    case container(String)
    /// A domain was set (the value and where).
    case domain(String, ValueOrigin?)
    /// Nothing else matched.
    case fallback
  }

  /// The mode.
  public var mode: DeploymentMode
  /// Why.
  public var reason: Reason

  /// Creates a detection result.
  public init(mode: DeploymentMode, reason: Reason) {
    self.mode = mode
    self.reason = reason
  }

  /// The reason in words: "AUTOBOT_DEPLOYMENT_MODE is set", ...
  public var explanation: String {
    switch reason {
    case .variable: "\(EnvironmentVariable.deploymentMode) is set"
    case .configured(let origin?): "deployment.mode at \(origin)"
    case .configured(nil): "deployment.mode in the configuration"
    case .kubernetes: "\(EnvironmentVariable.kubernetesServiceHost) is set (a Kubernetes pod)"
    case .container(let evidence): "a container: \(evidence)"
    case .domain(let domain, let origin?): "a domain is set (\(domain), \(origin))"
    case .domain(let domain, nil): "a domain is set (\(domain))"
    case .fallback: "no variable, file, pod, container or domain says otherwise"
    }
  }

  /// `mode (explanation)`.
  public var description: String { "\(mode) (\(explanation))" }
}
