/// One question (RFC 1035 4.1.2): a name, a type and a class.
public struct DNSQuestion: Hashable, Sendable {
  /// The name asked about.
  public var name: DNSName
  /// The type asked for.
  public var type: DNSRecordType
  /// The class (1, IN, in practice).
  public var questionClass: UInt16

  /// A question of class IN unless given.
  public init(name: DNSName, type: DNSRecordType, questionClass: UInt16 = DNSRecord.internet) {
    self.name = name
    self.type = type
    self.questionClass = questionClass
  }
}
