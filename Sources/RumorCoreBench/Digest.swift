import RumorCore

/// Folds what each call returned into one number that the benchmark
/// prints at the end, so that the optimizer cannot drop work whose result
/// would otherwise go unused. Cheap on purpose: it runs outside the timed
/// spans but must not slow the run down either.
enum Digest {
  /// Mixes a value into a running digest.
  static func mix(_ digest: UInt64, _ value: UInt64) -> UInt64 {
    (digest ^ value) &* 0x0000_0100_0000_01b3
  }

  /// The effects of one call: their kinds and sizes.
  static func effects(_ effects: [Effect]) -> UInt64 {
    var digest = UInt64(effects.count)
    for effect in effects {
      let value: UInt64
      switch effect {
      case .send(let bytes, _): value = 1 << 32 | UInt64(bytes.count)
      case .openStream(let id, _, let request, _): value = 2 << 32 | id ^ UInt64(request.count)
      case .event(let event): value = 3 << 32 | UInt64(event.member.incarnation)
      case .deliver: value = 4 << 32
      case .joinFinished(_, let error): value = 5 << 32 | UInt64(error?.utf8.count ?? 0)
      case .leaveFinished: value = 6 << 32
      case .userEvent(let event): value = 7 << 32 | event.lamportTime
      }
      digest = mix(digest, value)
    }
    return digest
  }
}
