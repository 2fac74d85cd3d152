import Testing

@testable import RumorDiscovery

/// A machine described by its variables and files.
func machine(_ variables: [String: String] = [:], files: [String: String] = [:]) -> HostEnvironment
{
  HostEnvironment(variables: variables, readFile: { files[$0] })
}

@Suite("Deployment mode detection, rule by rule")
struct ModeDetectionTests {
  /// Everything that could point elsewhere, to show each rule wins over
  /// the ones after it.
  static let pod = ["KUBERNETES_SERVICE_HOST": "10.96.0.1"]
  static let docker = ["/.dockerenv": ""]

  @Test("1. AUTOBOT_DEPLOYMENT_MODE wins over the file, a pod, a container and a domain")
  func variableFirst() throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(
        Self.pod.merging(["AUTOBOT_DEPLOYMENT_MODE": "docker_local", "AUTOBOT_DOMAIN": "x.y"]) {
          a, _ in a
        },
        files: Self.docker),
      configured: .local, domain: "x.y")
    #expect(detection == ModeDetection(mode: .dockerLocal, reason: .variable))
  }

  @Test("2. the file's deployment.mode wins over a pod, a container and a domain")
  func fileSecond() throws {
    let origin = ValueOrigin.file("f.yml", SourcePosition(line: 2, column: 9))
    let detection = try DeploymentModeDetector.detect(
      in: machine(Self.pod, files: Self.docker), configured: .local, configuredAt: origin,
      domain: "x.y")
    #expect(detection == ModeDetection(mode: .local, reason: .configured(origin)))
  }

  @Test("3. KUBERNETES_SERVICE_HOST means kubernetes, even in a container with a domain")
  func kubernetesThird() throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(Self.pod, files: Self.docker), domain: "x.y")
    #expect(detection == ModeDetection(mode: .kubernetes, reason: .kubernetes))
  }

  @Test("4. /.dockerenv means docker_local, even with a domain")
  func dockerenvFourth() throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(["AUTOBOT_DOMAIN": "x.y"], files: Self.docker))
    #expect(
      detection == ModeDetection(mode: .dockerLocal, reason: .container("/.dockerenv exists")))
  }

  @Test("4. Podman's /run/.containerenv means docker_local")
  func podman() throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(files: ["/run/.containerenv": ""]))
    #expect(detection.mode == .dockerLocal)
  }

  @Test(
    "4. a Docker, containerd or Kubernetes cgroup line means docker_local",
    arguments: [
      "12:memory:/docker/3f1a9c2b7d", "0::/system.slice/docker-3f1a9c2b7d.scope",
      "0::/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:3f1a",
      "11:cpu:/kubepods/burstable/pod1/3f1a", "0::/machine.slice/libpod-3f1a.scope",
    ])
  func cgroupLine(line: String) throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(files: ["/proc/self/cgroup": "1:name=systemd:/\n\(line)\n"]))
    #expect(
      detection
        == ModeDetection(mode: .dockerLocal, reason: .container("/proc/self/cgroup has '\(line)'")))
  }

  @Test("4. a host's own cgroups are not a container")
  func hostCgroup() throws {
    let detection = try DeploymentModeDetector.detect(
      in: machine(files: [
        "/proc/self/cgroup": "0::/user.slice/user-1000.slice/session-2.scope\n4:memory:/\n"
      ]))
    #expect(detection.mode == .local)
  }

  @Test("5. a domain from the file or AUTOBOT_DOMAIN means distributed")
  func domainFifth() throws {
    let fromFile = try DeploymentModeDetector.detect(in: machine(), domain: "autobot.prod")
    #expect(fromFile == ModeDetection(mode: .distributed, reason: .domain("autobot.prod", nil)))
    let fromVariable = try DeploymentModeDetector.detect(
      in: machine(["AUTOBOT_DOMAIN": "autobot.prod"]))
    #expect(fromVariable.mode == .distributed)
    #expect(fromVariable.reason == .domain("autobot.prod", .environment("AUTOBOT_DOMAIN")))
  }

  @Test("6. with nothing to go by, the mode is local")
  func localLast() throws {
    let detection = try DeploymentModeDetector.detect(in: machine())
    #expect(detection == ModeDetection(mode: .local, reason: .fallback))
  }

  @Test("a bad AUTOBOT_DEPLOYMENT_MODE is an error naming it, with a suggestion")
  func badVariable() {
    #expect(
      throws: ConfigurationError(
        .environment("AUTOBOT_DEPLOYMENT_MODE"),
        "'Kubernetes' is not a deployment mode; did you mean 'kubernetes'? (one of local, docker_local, distributed, kubernetes)"
      )
    ) {
      try DeploymentModeDetector.detect(in: machine(["AUTOBOT_DEPLOYMENT_MODE": "Kubernetes"]))
    }
  }

  @Test("the whole pipeline reports which rule chose the mode")
  func pipelineExplains() throws {
    let effective = try ConfigurationLoader.effective(
      DiscoveryConfiguration(), host: machine(files: ["/proc/self/cgroup": "0::/docker/abc\n"]))
    #expect(effective.mode == .dockerLocal)
    #expect(
      effective.detection.explanation == "a container: /proc/self/cgroup has '0::/docker/abc'")
  }
}
