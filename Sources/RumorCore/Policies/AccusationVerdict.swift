/// What the guard makes of a suspicion whose timeout ran out
/// (`SWIMNode.accusationVerdict`).
enum AccusationVerdict {
  /// Declare the member dead and gossip it, as memberlist does.
  case declare
  /// Declare it dead in this node's own view only.
  case declareLocally
  /// Keep the suspicion and re-probe the member.
  case hold
}
