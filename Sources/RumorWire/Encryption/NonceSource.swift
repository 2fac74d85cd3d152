import COpenSSL
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// Where AES-GCM nonces come from. A node's nonces never come from its
/// protocol generator: that one is seeded (often with a fixed seed), and a
/// single captured packet would reveal its state, so two nodes or two runs
/// with the same seed would repeat nonces under the same key, which breaks
/// GCM outright. The default is the operating system's secure generator;
/// only a simulation that must replay byte for byte injects a seeded source.
public struct NonceSource: Hashable, Sendable {
  /// The seeded counter, or nil for the operating system's generator.
  private let counter: SeededCounter?

  /// The operating system's secure generator (libcrypto's `RAND_bytes`,
  /// falling back to `getentropy`): the default, and the only source for a
  /// real node.
  public static let system = NonceSource(counter: nil)

  /// A deterministic source for simulations and tests only: `seed` in the
  /// first four bytes, a counter in the other eight. Two sources with the
  /// same seed repeat each other's nonces, so never give one to a node
  /// whose packets leave the process.
  public static func seeded(_ seed: UInt32) -> NonceSource {
    NonceSource(counter: SeededCounter(seed: seed))
  }

  private init(counter: SeededCounter?) {
    self.counter = counter
  }

  /// True for the operating system's generator.
  public var isSystem: Bool { counter == nil }

  /// A fresh 12-byte nonce; throws only if the operating system has no
  /// randomness to give (a nonce is never made up from anything weaker).
  public func next() throws(WireError) -> [UInt8] {
    if let counter { return counter.next() }
    var nonce = [UInt8](repeating: 0, count: AESGCM.nonceSize)
    let filled = nonce.withUnsafeMutableBytes { buffer -> Bool in
      guard let base = buffer.baseAddress else { return false }
      if RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count)) == 1 {
        return true
      }
      return getentropy(base, buffer.count) == 0
    }
    guard filled else {
      throw WireError(.encoding, "the operating system gave no random bytes for a nonce", at: 0)
    }
    return nonce
  }

  public static func == (lhs: NonceSource, rhs: NonceSource) -> Bool {
    lhs.counter === rhs.counter
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(counter.map(ObjectIdentifier.init))
  }
}

/// The state of a seeded nonce source: shared by every copy of the
/// options that hold it, so copies never hand out the same nonce twice.
private final class SeededCounter: Sendable {
  let seed: UInt32
  let count = Atomic<UInt64>(0)

  init(seed: UInt32) {
    self.seed = seed
  }

  func next() -> [UInt8] {
    let value = count.wrappingAdd(1, ordering: .relaxed).oldValue
    var nonce: [UInt8] = []
    nonce.reserveCapacity(AESGCM.nonceSize)
    for shift in stride(from: 24, through: 0, by: -8) {
      nonce.append(UInt8(truncatingIfNeeded: seed >> UInt32(shift)))
    }
    for shift in stride(from: 56, through: 0, by: -8) {
      nonce.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
    return nonce
  }
}
