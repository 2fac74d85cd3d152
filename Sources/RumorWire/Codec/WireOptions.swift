/// What both ends of a link must agree on to understand each other's
/// bytes: label, keys, and how to treat unencrypted input.
public struct WireOptions: Hashable, Sendable {
  /// The cluster label ("" for none). Sent in front of every packet and
  /// dialled stream; received labels must match exactly.
  public var label: String
  /// The encryption keys, or nil for a plaintext cluster.
  public var keyring: Keyring?
  /// Compress outgoing messages with LZW: packets only when that makes them
  /// smaller, stream messages always (memberlist's `EnableCompression`).
  public var compression: Bool
  /// Refuse plaintext input when a keyring is set (`GossipVerifyIncoming`).
  public var verifyIncoming: Bool
  /// Encrypt output when a keyring is set (`GossipVerifyOutgoing`).
  public var encryptOutgoing: Bool
  /// How Go `int` fields are written.
  public var intStyle: GoIntStyle
  /// Most bytes one decompression may produce.
  public var decompressionLimit: Int
  /// Most bytes all the decompressions of one UDP datagram may produce
  /// together, each also charged `PacketCodec.decompressionSetupCost`.
  /// A datagram is at most 64 KiB; several compress envelopes in one
  /// would otherwise inflate to `decompressionLimit` each. 1 MiB.
  public var packetDecompressionBudget = WireOptions.defaultPacketDecompressionBudget
  /// Accept a packet or stream with any label (for `rumor decode`); a
  /// node always checks its own.
  public var acceptsAnyLabel: Bool
  /// Where AES-GCM nonces come from: the operating system's secure
  /// generator unless a deterministic simulation injects a seeded source.
  public var nonceSource: NonceSource

  /// Creates options; the defaults are memberlist's.
  public init(
    label: String = "", keyring: Keyring? = nil, compression: Bool = true,
    verifyIncoming: Bool = true, encryptOutgoing: Bool = true, intStyle: GoIntStyle = .legacy,
    decompressionLimit: Int = Compression.defaultLimit, acceptsAnyLabel: Bool = false,
    nonceSource: NonceSource = .system
  ) {
    self.label = label
    self.keyring = keyring
    self.compression = compression
    self.verifyIncoming = verifyIncoming
    self.encryptOutgoing = encryptOutgoing
    self.intStyle = intStyle
    self.decompressionLimit = decompressionLimit
    self.acceptsAnyLabel = acceptsAnyLabel
    self.nonceSource = nonceSource
  }

  /// The default `packetDecompressionBudget`: 1 MiB, sixteen times the
  /// largest datagram, far above what a compressed compound of memberlist
  /// gossip (a 1,400-byte budget) ever inflates to.
  public static let defaultPacketDecompressionBudget = 1 << 20

  /// The keyring to encrypt output with, if output is encrypted.
  var outgoingKeyring: Keyring? { encryptOutgoing ? keyring : nil }

  /// Checks a received label against ours.
  func checkLabel(_ received: String, present: Bool, at offset: Int) throws(WireError) {
    guard !acceptsAnyLabel, received != label else { return }
    if !present {
      throw WireError(.label, "input has no label but \"\(label)\" is configured", at: offset)
    }
    throw WireError(
      .label,
      label.isEmpty
        ? "input has label \"\(received)\" but no label is configured"
        : "input has label \"\(received)\" but \"\(label)\" is configured",
      at: offset)
  }
}
