@_exported import RumorWire
