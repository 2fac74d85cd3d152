import Rumor

/// Starts a node on loopback named `name` and the agent's HTTP API in
/// front of it, in local mode, as the tests of the API and of its clients
/// need them; the caller stops the API and shuts the node down.
func startLocalAgentAPI(name: String, seed: UInt64, monitor: AgentMonitor = AgentMonitor())
  throws -> (node: RumorNode, api: AgentAPI)
{
  let node = try RumorNode.start(
    NodeConfiguration(name: name, bind: anyPort, settings: testSettings(), seed: seed))
  let configuration = try ConfigurationLoader.effective(
    DiscoveryConfiguration(),
    host: HostEnvironment(variables: [EnvironmentVariable.deploymentMode: "local"]))
  let registry = ServiceRegistry(configuration: configuration, node: node, variables: [:])
  let api = try AgentAPI(node: node, registry: registry, bind: anyPort, monitor: monitor)
  return (node, api)
}
