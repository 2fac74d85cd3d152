import RumorWire

/// News that a member is alive, from an alive message or a pushed node
/// state, with its byte fields as slices: a push-pull of ten thousand
/// members is merged without copying what is unchanged.
struct AliveNews {
  var node: String
  var addr: ArraySlice<UInt8>
  var port: UInt16
  var meta: ArraySlice<UInt8>
  var incarnation: UInt32
  var vsn: ArraySlice<UInt8>

  // No copy of the message it came in is kept: the message is rebuilt
  // from these fields (the same bytes, as `Alive` encodes its fields and
  // nothing else), and a kept copy was three more references to retain
  // and release for every alive message received, most of them news
  // already known.

  init(_ alive: Alive) {
    node = alive.node
    addr = alive.addrBytes
    port = alive.port
    meta = alive.metaBytes
    incarnation = alive.incarnation
    vsn = alive.vsnBytes
  }

  init(_ state: PushNodeStateView) {
    node = state.name
    addr = state.addr
    port = state.port
    meta = state.meta
    incarnation = state.incarnation
    vsn = state.vsn
  }

  /// The same news with fields of its own, to keep beyond its packet.
  var owned: AliveNews { AliveNews(message.owned) }

  /// The alive message to gossip, its byte fields still slices of the
  /// packet or stream it came in.
  var message: Alive {
    var alive = Alive(incarnation: incarnation, node: node, port: port)
    alive.addrBytes = addr
    alive.metaBytes = meta
    alive.vsnBytes = vsn
    return alive
  }
}
