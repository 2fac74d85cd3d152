import RumorCore
import Testing

@testable import RumorSimulator

@Suite("Streams that meet the loss (NetworkModel.streamLoss)")
struct StreamLossTests {
  /// 20 % loss on 8 members for 60 s, with or without loss on streams.
  func lossy(streams: Bool) -> ScenarioOptions {
    var network = NetworkModel()
    network.streamLoss = streams
    return ScenarioOptions(scenario: .loss, nodes: 8, seed: 1, loss: 0.2, network: network)
  }

  @Test(
    "with lossless streams the TCP fallback ping hides 20 % loss; with lossy ones healthy members are suspected, as in the namespace lab"
  )
  func lossyStreamsFailProbes() {
    // The namespace lab's real agents suspect healthy members at this loss
    // (docs/simulation.md, "The lab against the simulator"); the simulator
    // with lossless streams did not.
    let (lossless, reproduceLossless) = simulate(lossy(streams: false))
    #expect(lossless.healthySuspected == 0, reproduceLossless)
    let (lossyResult, reproduce) = simulate(lossy(streams: true))
    #expect(lossyResult.healthySuspected > 0, reproduce)
  }

  @Test("without loss, lossy streams change nothing: the same run, event for event")
  func noLossNoChange() {
    var network = NetworkModel()
    network.streamLoss = true
    let plain = ScenarioRunner.run(
      ScenarioOptions(scenario: .crash, nodes: 8, seed: 2, duration: 20))
    let flagged = ScenarioRunner.run(
      ScenarioOptions(scenario: .crash, nodes: 8, seed: 2, duration: 20, network: network))
    #expect(plain.detectAllSeconds == flagged.detectAllSeconds)
    #expect(plain.falseSuspicions == flagged.falseSuspicions)
    #expect(plain.messagesPerNodePerSecond == flagged.messagesPerNodePerSecond)
  }
}
