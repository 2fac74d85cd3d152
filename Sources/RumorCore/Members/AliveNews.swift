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
  /// The message it came in, when there was one (re-gossiped as it is).
  var original: Alive?

  init(_ alive: Alive) {
    node = alive.node
    addr = alive.addrBytes
    port = alive.port
    meta = alive.metaBytes
    incarnation = alive.incarnation
    vsn = alive.vsnBytes
    original = alive
  }

  init(_ state: PushNodeStateView) {
    node = state.name
    addr = state.addr
    port = state.port
    meta = state.meta
    incarnation = state.incarnation
    vsn = state.vsn
    original = nil
  }

  /// The same news with fields of its own, to keep beyond its packet.
  var owned: AliveNews { AliveNews(message.owned) }

  /// The alive message to gossip.
  var message: Alive {
    original
      ?? Alive(
        incarnation: incarnation, node: node, addr: Array(addr), port: port, meta: Array(meta),
        vsn: Array(vsn))
  }
}
