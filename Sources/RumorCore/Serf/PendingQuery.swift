/// A query this node sent, collecting answers until its deadline.
struct PendingQuery: Hashable, Sendable {
  var handle: QueryHandle
  var deadline: Timestamp
  var acks: Set<String> = []
  var responses: Set<String> = []

  /// Most members whose answers are taken (the cluster's member cap): a
  /// peer cannot grow the sets without end with made-up names.
  static let maximumAnswers = 100_000
}
