import RumorWire

/// What the Serf layer wants done after an input.
public struct SerfOutcome: Hashable, Sendable {
  /// Serf messages to gossip, in order: pass each to
  /// `SWIMNode.broadcastUserMessage`. These are intents the layer accepted
  /// and re-gossips, as Serf does, and join intents it makes to refute a
  /// leave intent about itself.
  public var broadcasts: [[UInt8]]
  /// For the broadcasts that are re-gossiped queries, by index in
  /// `broadcasts`: the asker's address. The asker has the query, so its
  /// few sends should go elsewhere (`SWIMNode.broadcastUserMessage`'s
  /// `heldBy`).
  public var broadcastHolders: [Int: NodeAddress] = [:]
  /// Member statuses that moved, in the order they moved.
  public var changes: [SerfStatusChange]
  /// User events seen for the first time, to deliver to the application.
  public var userEvents: [UserEvent] = []
  /// Queries seen for the first time that this member should answer.
  public var queries: [IncomingQuery] = []
  /// Serf messages to send straight to one address (acks, relays).
  public var directMessages: [DirectSerfMessage] = []
  /// Acks and responses to queries this node sent.
  public var queryReplies: [QueryReply] = []
  /// Serf's key queries (`_serf_install-key` …), for the owner of the
  /// keyring to carry out and answer.
  public var keyQueries: [IncomingQuery] = []
  /// Serf's `_serf_conflict` queries, for `ClusterNode` to answer with the
  /// member record it knows for the name.
  public var conflictQueries: [IncomingQuery] = []
  /// Why the input was dropped, when it was not a valid Serf message or
  /// state. The layer has counted it; nothing else happened.
  public var error: WireError?

  /// Creates an outcome (empty by default).
  public init(
    broadcasts: [[UInt8]] = [], changes: [SerfStatusChange] = [], error: WireError? = nil
  ) {
    self.broadcasts = broadcasts
    self.changes = changes
    self.error = error
  }

  /// Whether there is nothing to do.
  public var isEmpty: Bool {
    broadcasts.isEmpty && changes.isEmpty && userEvents.isEmpty && queries.isEmpty
      && directMessages.isEmpty && queryReplies.isEmpty && keyQueries.isEmpty
      && conflictQueries.isEmpty
      && error == nil
  }
}
