/// Finds the deployment mode, trying in order: `AUTOBOT_DEPLOYMENT_MODE`;
/// the file's `deployment.mode`; Kubernetes (`KUBERNETES_SERVICE_HOST`,
/// which the kubelet sets in every container); a container (`/.dockerenv`,
/// Podman's `/run/.containerenv`, or a Docker, containerd, CRI-O, Podman,
/// LXC or Kubernetes line in `/proc/self/cgroup`) meaning `docker_local`;
/// `distributed` where a domain is set; else `local`.
///
/// A pure function of the `HostEnvironment` it is given.
public enum DeploymentModeDetector {
  /// The file Docker creates at the root of every container.
  public static let dockerEnvironmentFile = "/.dockerenv"
  /// The file Podman creates in every container.
  public static let podmanEnvironmentFile = "/run/.containerenv"
  /// This process's control groups, which name the container runtime.
  public static let cgroupFile = "/proc/self/cgroup"

  /// Detects the mode. `configured` is the file's `deployment.mode` (with
  /// where it was written), `domain` the effective domain; when nil,
  /// `AUTOBOT_DOMAIN` is looked at.
  public static func detect(
    in host: HostEnvironment, configured: DeploymentMode? = nil,
    configuredAt origin: ValueOrigin? = nil, domain: String? = nil,
    domainOrigin: ValueOrigin? = nil
  ) throws(ConfigurationError) -> ModeDetection {
    if let text = host.variable(EnvironmentVariable.deploymentMode) {
      do {
        return ModeDetection(mode: try DeploymentMode(parsing: text), reason: .variable)
      } catch {
        throw ConfigurationError(.environment(EnvironmentVariable.deploymentMode), error.reason)
      }
    }
    if let configured {
      return ModeDetection(mode: configured, reason: .configured(origin))
    }
    if host.variable(EnvironmentVariable.kubernetesServiceHost) != nil {
      return ModeDetection(mode: .kubernetes, reason: .kubernetes)
    }
    if let evidence = containerEvidence(in: host) {
      return ModeDetection(mode: .dockerLocal, reason: .container(evidence))
    }
    if let domain {
      return ModeDetection(mode: .distributed, reason: .domain(domain, domainOrigin))
    }
    if let domain = host.variable(EnvironmentVariable.domain) {
      return ModeDetection(
        mode: .distributed,
        reason: .domain(domain, .environment(EnvironmentVariable.domain)))
    }
    return ModeDetection(mode: .local, reason: .fallback)
  }

  /// What shows this process runs in a container, or nil.
  public static func containerEvidence(in host: HostEnvironment) -> String? {
    for file in [dockerEnvironmentFile, podmanEnvironmentFile] where host.readFile(file) != nil {
      return "\(file) exists"
    }
    guard let cgroups = host.readFile(cgroupFile) else { return nil }
    for line in cgroups.split(whereSeparator: \.isNewline) {
      // `hierarchy:controllers:path`; the runtimes name themselves in the
      // path: /docker/<id>, docker-<id>.scope, /kubepods/..., cri-containerd-<id>,
      // crio-<id>, libpod-<id>, /lxc/<name>.
      let path =
        line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last ?? ""
      let markers = ["docker", "containerd", "kubepods", "crio-", "libpod", "/lxc/"]
      if markers.contains(where: { path.contains($0) }) {
        return "\(cgroupFile) has '\(line)'"
      }
    }
    return nil
  }
}
