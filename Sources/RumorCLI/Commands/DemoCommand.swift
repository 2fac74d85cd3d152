import CommandLineSupport
import Rumor

/// `rumor demo`: the README's main job.
///
/// The live demo (a cluster of nodes on loopback that advertise services,
/// resolve them and survive a killed node) needs the SWIM core and the node
/// runtime, which are not built yet. Until then the demo says so and shows
/// the part that exists: a gossip packet built, encrypted, and decoded
/// again through the memberlist-compatible wire layer.
enum DemoCommand {
  static let summary = "Run the demo (today: the wire layer; the live cluster demo is coming)"
  static let help = """
    Usage: rumor demo

    Will start a local multi-node cluster that advertises services, resolves
    them and survives a killed node. That needs the SWIM core and the node
    runtime, which are still being built; today the demo shows the wire
    layer: a Serf-compatible gossip packet encoded, encrypted and decoded.
    """

  static func run(_ arguments: [String], console: Console) throws(CommandError) {
    let parsed = try ArgumentList(arguments, command: "rumor demo", options: [])
    if parsed.wantsHelp { return console.out(help) }
    try parsed.expectPositional(atMost: 0)
    console.out(
      """
      Rumor demo
      The live cluster demo (5 nodes on loopback advertising services, resolving
      them, surviving a killed node) arrives with the SWIM core and the node
      runtime, which are not built yet. Here is the layer that is: memberlist- and
      Serf-compatible bytes.

      """)
    do {
      try showWireRoundTrip(console)
    } catch {
      throw .failure("demo failed: \(error)")
    }
  }

  private static func showWireRoundTrip(_ console: Console) throws(WireError) {
    let nodes = [
      ("redis-1", "redis://:6379"), ("api-1", "http://:8001/api"), ("ai-1", "http://:8080"),
    ]
    var messages: [[UInt8]] = []
    for (index, (name, url)) in nodes.enumerated() {
      let service = name.split(separator: "-").first.map(String.init) ?? name
      let meta = try SerfTags.encode(["svc.\(service)": url, "health.\(service)": "passing"])
      let alive = Alive(
        incarnation: 1, node: name, addr: [127, 0, 0, 1], port: UInt16(7946 + index), meta: meta,
        vsn: ProtocolVersions.rumor.bytes)
      messages.append(Message.alive(alive).encoded())
    }
    let keyring = try Keyring(keys: [Array(repeating: 7, count: 32)])
    let codec = PacketCodec(options: WireOptions(keyring: keyring))
    let compound = try Compound.encode(messages)
    let packet = try codec.seal(compound, checksum: true)
    console.out(
      "1. Three alive messages with Serf tags, as one compound: \(compound.count) bytes.")
    console.out(
      "2. Compressed (LZW), checksummed (CRC-32) and encrypted (AES-256-GCM): \(packet.count) bytes on the wire."
    )
    console.out("3. Decoded again, as `rumor decode --key ...` prints it:")
    let report = Inspector.inspectPacket(packet, options: codec.options)
    for message in report.messages {
      console.out("   " + message.text)
    }
    if !report.errors.isEmpty {
      throw report.errors[0]
    }
  }
}
