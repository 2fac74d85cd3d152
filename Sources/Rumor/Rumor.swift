// One import for users: the node, the registry and the agent API here,
// the discovery layer (configuration, resolution, checks) whole, and from
// the core and the wire only the value types the API speaks in. The
// protocol's machinery (SWIMNode, the codecs, msgpack, LZW, CRC-32)
// stays out of sight; `import RumorCore` or `import RumorWire` reaches it.
@_exported import RumorDiscovery

@_exported import struct RumorCore.CoordinateCounters
@_exported import struct RumorCore.IncomingQuery
@_exported import struct RumorCore.Member
@_exported import enum RumorCore.MemberState
@_exported import enum RumorCore.MembershipEvent
@_exported import struct RumorCore.NodeCounters
@_exported import struct RumorCore.Policies
@_exported import enum RumorCore.Preset
@_exported import enum RumorCore.Profile
@_exported import struct RumorCore.QueryHandle
@_exported import struct RumorCore.QueryOptions
@_exported import enum RumorCore.QueryReply
@_exported import struct RumorCore.QueryResponseError
@_exported import struct RumorCore.SWIMSettings
@_exported import struct RumorCore.SerfSettings
@_exported import struct RumorCore.SettingsError
@_exported import struct RumorCore.Timestamp
@_exported import struct RumorCore.UserEvent
@_exported import struct RumorCore.UserEventError
@_exported import enum RumorWire.JSONValue
@_exported import struct RumorWire.NodeAddress
@_exported import struct RumorWire.ProtocolVersions
@_exported import struct RumorWire.SerfCoordinate
@_exported import enum RumorWire.SerfTags
