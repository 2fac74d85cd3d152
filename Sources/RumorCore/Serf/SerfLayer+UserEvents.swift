import RumorWire

/// Why a user event could not be sent.
public struct UserEventError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What was wrong, and the limit.
  public var description: String

  /// Creates an error that says what was wrong.
  public init(description: String) {
    self.description = description
  }
}

extension SerfLayer {
  /// Makes a user event (Serf's `UserEvent`): stamped with the event clock,
  /// which then moves on, recorded here as seen, delivered here too, and
  /// returned encoded for gossip (in `broadcasts`). Throws, changing
  /// nothing, when the name and payload are over
  /// `SerfSettings.userEventSizeLimit` or the encoded event is.
  public mutating func userEvent(name: String, payload: [UInt8], coalesce: Bool)
    throws(UserEventError) -> SerfOutcome
  {
    let limit = settings.userEventSizeLimit
    let size = name.utf8.count + payload.count
    guard size <= limit else {
      throw UserEventError(
        description:
          "user event '\(name)' is \(size) bytes of name and payload; the limit is \(limit)")
    }
    let event = SerfUserEvent(
      lamportTime: eventClock.time, name: name, payload: payload, coalesce: coalesce)
    let encoded = SerfMessage.userEvent(event).encoded()
    guard encoded.count <= limit else {
      throw UserEventError(
        description:
          "user event '\(name)' is \(encoded.count) bytes encoded; the limit is \(limit)")
    }
    eventClock.increment()
    var outcome = SerfOutcome()
    _ = handleUserEvent(event, into: &outcome)
    outcome.broadcasts.append(encoded)
    return outcome
  }

  /// Takes a user event, received or replayed from push-pull state
  /// (Serf's `handleUserEvent`): new ones are recorded and delivered.
  /// Returns whether it was new, which is when Serf re-gossips it.
  mutating func handleUserEvent(_ event: SerfUserEvent, into outcome: inout SerfOutcome) -> Bool {
    // Witness first, even for an event that turns out old or repeated; an
    // implausible jump of the clock drops the event (docs/protocol.md).
    guard eventClock.witness(event.lamportTime) else {
      counters.implausibleTimes += 1
      return false
    }
    guard event.lamportTime >= eventMinimumTime else {
      counters.userEventsIgnored += 1
      return false
    }
    guard !events.isTooOld(event.lamportTime, clock: eventClock.time) else {
      counters.userEventsTooOld += 1
      return false
    }
    guard events.record(event.lamportTime, name: event.name, payload: event.payload) else {
      counters.userEventsRepeated += 1
      return false
    }
    counters.userEventsDelivered += 1
    outcome.userEvents.append(
      UserEvent(
        lamportTime: event.lamportTime, name: event.name, payload: event.payload,
        coalesce: event.coalesce))
    return true
  }

  /// Starts or ends a join that does not replay old user events.
  public mutating func setIgnoresOldEventsOnJoin(_ ignores: Bool) {
    ignoresOldEventsOnJoin = ignores
  }
}
