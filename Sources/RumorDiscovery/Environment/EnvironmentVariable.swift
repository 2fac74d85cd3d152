/// The environment variables Rumor reads. Each overrides the file's value
/// for the same setting; an empty variable counts as unset.
public enum EnvironmentVariable {
  /// `local`, `docker_local`, `distributed` or `kubernetes`; overrides
  /// `deployment.mode` and detection.
  public static let deploymentMode = "AUTOBOT_DEPLOYMENT_MODE"
  /// The DNS domain of a distributed deployment; overrides
  /// `deployment.domain`.
  public static let domain = "AUTOBOT_DOMAIN"
  /// The Kubernetes namespace; overrides `deployment.namespace`.
  public static let namespace = "AUTOBOT_NAMESPACE"
  /// The configuration file to read when none is given on the command
  /// line.
  public static let configFile = "RUMOR_CONFIG"
  /// `gossip.node_name`.
  public static let nodeName = "RUMOR_NODE_NAME"
  /// `gossip.bind`, `IP[:PORT]`.
  public static let bind = "RUMOR_BIND"
  /// `gossip.advertise`, `IP[:PORT]`.
  public static let advertise = "RUMOR_ADVERTISE"
  /// `gossip.join`, comma-separated `HOST[:PORT]`.
  public static let join = "RUMOR_JOIN"
  /// `gossip.encrypt`, comma-separated base64 keys, primary first.
  public static let encrypt = "RUMOR_ENCRYPT"
  /// `gossip.label`.
  public static let label = "RUMOR_LABEL"
  /// `gossip.keyring_file`: where the keyring is kept across restarts.
  public static let keyringFile = "RUMOR_KEYRING_FILE"
  /// `gossip.profile`: `lan`, `wan` or `local`.
  public static let profile = "RUMOR_PROFILE"
  /// `gossip.preset`: `memberlist` or `rumor`. Each policy has its own
  /// variable too (`PolicySetting.variable`, `RUMOR_FAST_CRASH_DETECTION`).
  public static let preset = "RUMOR_PRESET"
  /// `gossip.http`: where `rumor agent` serves its HTTP API, `IP[:PORT]`
  /// or `off`.
  public static let http = "RUMOR_HTTP"
  /// The bearer token the agent API's writes need (`rumor agent
  /// --http-token`).
  public static let httpToken = "RUMOR_HTTP_TOKEN"
  /// The agent the CLI and the Python example ask (`HOST:PORT`).
  public static let agent = "RUMOR_AGENT"
  /// `advertise:`, comma-separated `NAME=URL`; a file's check for the same
  /// name is kept.
  public static let services = "RUMOR_SERVICES"
  /// `dns.address`: `HOST:PORT` or `off`.
  public static let dns = "RUMOR_DNS"
  /// `dns.domain`.
  public static let dnsDomain = "RUMOR_DNS_DOMAIN"
  /// Set by Kubernetes in every container: the sign of a pod.
  public static let kubernetesServiceHost = "KUBERNETES_SERVICE_HOST"

  /// Every `RUMOR_` variable the configuration reads, to catch typos.
  public static let rumorVariables =
    [
      configFile, nodeName, bind, advertise, join, encrypt, label, profile, services, http,
      httpToken, agent, dns, dnsDomain, keyringFile, preset,
    ] + PolicySetting.allCases.map(\.variable)

  /// `<NAME>_HOST` for a service: the name upper-cased, `-` turned into
  /// `_` (`ai-stack` → `AI_STACK_HOST`).
  public static func host(forService name: String) -> String {
    prefix(name) + "_HOST"
  }

  /// `<NAME>_PORT` for a service (`ai-stack` → `AI_STACK_PORT`).
  public static func port(forService name: String) -> String {
    prefix(name) + "_PORT"
  }

  private static func prefix(_ name: String) -> String {
    String(name.uppercased().map { $0 == "-" ? "_" : $0 })
  }
}
