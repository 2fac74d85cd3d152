import RumorWire

/// What the cluster answered to a key operation (`RumorNode.installKey`
/// and the others; Serf's `KeyResponse`): how many members there were,
/// how many answered, which failed and why, and for a list every key
/// with how many members hold it. Keys appear in base64, only in a list's
/// answer.
public struct KeyringAnswer: Sendable, Hashable {
  /// The members alive when the query went out (Serf's `NumNodes`).
  public var memberCount: Int
  /// The members that answered (Serf's `NumResp`).
  public var responseCount = 0
  /// The members that answered with a failure (Serf's `NumErr`).
  public var errorCount = 0
  /// Each member's message, by name: why it failed, or a warning.
  public var messages: [String: String] = [:]
  /// For a list: each installed key (base64) and how many members hold it.
  public var keys: [String: Int] = [:]
  /// For a list: each primary key (base64) and how many members use it.
  public var primaryKeys: [String: Int] = [:]

  /// Creates an answer with no responses yet.
  public init(memberCount: Int) {
    self.memberCount = memberCount
  }

  /// Whether every member answered and none failed.
  public var succeeded: Bool { errorCount == 0 && responseCount >= memberCount }

  /// What went wrong, as `serf keys` says it ("1/3 nodes reported
  /// failure", "2/3 nodes reported success"); nil when nothing did.
  public var failure: String? {
    if errorCount != 0 { return "\(errorCount)/\(memberCount) nodes reported failure" }
    if responseCount < memberCount {
      return "\(responseCount)/\(memberCount) nodes reported success"
    }
    return nil
  }

  /// Counts one member's response (Serf's `streamKeyResp`): a payload
  /// that is not a key response, or a response with `Result` false, is a
  /// failure with its message; a success may carry a warning.
  mutating func take(_ payload: [UInt8], from member: String) {
    responseCount += 1
    guard let response = try? SerfKeyResponse(decoding: payload) else {
      messages[member] = "Failed to decode key query response"
      errorCount += 1
      return
    }
    if !response.message.isEmpty { messages[member] = response.message }
    guard response.result else {
      errorCount += 1
      return
    }
    for key in response.keys { keys[key, default: 0] += 1 }
    if !response.primaryKey.isEmpty { primaryKeys[response.primaryKey, default: 0] += 1 }
  }
}
