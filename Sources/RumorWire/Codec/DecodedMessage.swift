/// A message found in a packet or stream, with the envelopes it came in.
public struct DecodedMessage: Hashable, Sendable {
  /// The message.
  public var message: Message
  /// How it was wrapped inside the packet or stream.
  public var route: Route

  /// Creates a decoded message.
  public init(message: Message, route: Route = Route()) {
    self.message = message
    self.route = route
  }
}

/// The envelopes around one message, outermost first; only what varies
/// per message (label and encryption are per packet).
public struct Route: Hashable, Sendable {
  /// One envelope.
  public enum Step: Hashable, Sendable {
    /// Part `index` (from 1) of a compound of `count` parts.
    case compoundPart(index: Int, count: Int)
    /// Inside an LZW compress message.
    case compressed
  }

  // Envelopes nest at most two deep (`PacketCodec.maximumNesting`), so
  // the first two steps are kept inline: every decoded message has a
  // route, and an array would cost an allocation per message. Steps are
  // filled in order, so equal routes are stored alike.
  private var first: Step?
  private var second: Step?
  private var further: [Step] = []

  /// The envelopes, outermost first.
  public var steps: [Step] {
    get { [first, second].compactMap { $0 } + further }
    set {
      first = newValue.first
      second = newValue.dropFirst().first
      further = Array(newValue.dropFirst(2))
    }
  }

  /// Creates a route.
  public init(steps: [Step] = []) {
    self.steps = steps
  }

  /// The route one envelope further in.
  public func appending(_ step: Step) -> Route {
    var route = self
    if first == nil {
      route.first = step
    } else if second == nil {
      route.second = step
    } else {
      route.further.append(step)
    }
    return route
  }
}
