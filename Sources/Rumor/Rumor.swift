import RumorWire
