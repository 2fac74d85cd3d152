import RumorDiscovery
import Synchronization

/// Where a node's thread publishes its service catalog and lookups take
/// it from: a version number read with one atomic load, and the catalog
/// itself behind a lock taken only when the version moved.
package final class CatalogFeed: Sendable {
  private let current = Mutex((catalog: ServiceCatalog(), version: UInt64(0)))
  private let published = Atomic<UInt64>(0)
  /// Catalogs readers replaced, released by the owner on its next
  /// publish: freeing a catalog's tables is the owner's work, not a
  /// lookup's.
  private let retired = Mutex<[ServiceCatalog]>([])

  /// An empty feed.
  package init() {}

  /// The number of the latest catalog: one atomic load.
  package var version: UInt64 { published.load(ordering: .acquiring) }

  /// The latest catalog and its number.
  package var latest: (catalog: ServiceCatalog, version: UInt64) {
    current.withLock { $0 }
  }

  /// Publishes `catalog` (the owner thread), and releases the catalogs
  /// readers retired since the last time.
  package func publish(_ catalog: ServiceCatalog) {
    let released = retired.withLock { retired in
      defer { retired = [] }
      return retired
    }
    let previous = current.withLock { current in
      defer {
        current.catalog = catalog
        current.version += 1
        published.store(current.version, ordering: .releasing)
      }
      return current.catalog
    }
    // Released here, after both locks.
    withExtendedLifetime((released, previous)) {}
  }

  /// Hands back a catalog a reader no longer uses, so that its last
  /// release, if this is it, happens on the owner's thread.
  package func retire(_ catalog: ServiceCatalog) {
    retired.withLock { $0.append(catalog) }
  }
}
