import RumorCore
import RumorWire
import Synchronization

/// The network coordinates as the owner thread last published them: this
/// node's, its peers' and the counters, read by the API from any thread
/// without waiting on the protocol.
///
/// The owner publishes when the coordinates changed (at most once per
/// answered probe, one a probe interval): it hands over the dictionary,
/// which the next change then copies, so publishing costs O(peers) once a
/// probe interval at most.
final class CoordinateBoard: Sendable {
  /// One published state.
  struct View: Sendable {
    var own: SerfCoordinate?
    var peers: [String: SerfCoordinate] = [:]
    var counters = CoordinateCounters()
    var version: UInt64 = .max
  }

  private let view = Mutex(View())

  /// The latest view.
  var current: View { view.withLock { $0 } }

  /// Publishes `coordinates` if their version is not the one published
  /// (owner thread).
  func publish(_ coordinates: NetworkCoordinates?) {
    guard let coordinates else { return }
    let published = view.withLock { $0.version }
    guard published != coordinates.version else { return }
    let next = View(
      own: coordinates.own, peers: coordinates.peers, counters: coordinates.counters,
      version: coordinates.version)
    view.withLock { $0 = next }
  }
}
