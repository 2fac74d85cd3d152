#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A value guarded by a plain POSIX mutex, which puts a waiting thread to
/// sleep at once.
///
/// For the registry's lookups, which hold it for a few hundred
/// nanoseconds. Synchronization's `Mutex` spins before it sleeps: with
/// more resolving threads than free cores, the waiters spin through the
/// time slice of a preempted holder and a lookup costs tens of
/// microseconds of CPU instead of a few hundred nanoseconds
/// (docs/benchmarks.md, `rumor-bench resolve`).
///
/// Why `@unchecked Sendable` is safe: `value` is read and written only
/// inside `withLock`, between pthread_mutex_lock and pthread_mutex_unlock
/// on `mutex`, which this object allocates in init, never moves and frees
/// in deinit; no other member touches either.
final class SleepingLock<Value: Sendable>: @unchecked Sendable {  // safe: see above
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>
  private var value: Value

  init(_ value: Value) {
    self.value = value
    mutex = .allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
  }

  /// Runs `body` with the value, holding the lock.
  func withLock<Result, Failure: Error>(
    _ body: (inout Value) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body(&value)
  }
}
