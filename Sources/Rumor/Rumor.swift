// One import for users: the node API here, the core's value types
// (Member, MembershipEvent, SWIMSettings) and the wire types (NodeAddress,
// SerfTags) it speaks in.
@_exported import RumorCore
@_exported import RumorDiscovery
@_exported import RumorWire
