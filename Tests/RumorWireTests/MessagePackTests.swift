import Testing

@testable import RumorWire

@Suite("MessagePack as go-msgpack writes and reads it")
struct MessagePackTests {
  @Test("unsigned integers use the smallest unsigned form")
  func unsignedWidths() {
    let cases: [(UInt64, [UInt8])] = [
      (0, [0x00]), (127, [0x7f]), (128, [0xcc, 0x80]), (255, [0xcc, 0xff]),
      (256, [0xcd, 0x01, 0x00]), (17946, [0xcd, 0x46, 0x1a]), (65536, [0xce, 0, 1, 0, 0]),
      (1 << 32, [0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
    ]
    for (value, bytes) in cases {
      var writer = MessagePackWriter()
      writer.writeUnsigned(value)
      #expect(writer.bytes == bytes, "\(value)")
    }
  }

  @Test("Go int fields follow the codec generation: unsigned in 0.5, signed in 2.x")
  func goIntStyles() {
    var legacy = MessagePackWriter(intStyle: .legacy)
    legacy.writeGoInt(200)
    #expect(legacy.bytes == [0xcc, 0xc8])
    var current = MessagePackWriter(intStyle: .current)
    current.writeGoInt(200)
    #expect(current.bytes == [0xd1, 0x00, 0xc8])
    current = MessagePackWriter(intStyle: .current)
    current.writeGoInt(5_000_000_000)
    #expect(current.bytes == hex("d3 00 00 00 01 2a 05 f2 00"))
    current = MessagePackWriter(intStyle: .current)
    current.writeGoInt(-1)
    #expect(current.bytes == [0xff])
  }

  @Test("strings and bytes are legacy raw, never str8 or bin")
  func rawOnly() {
    var writer = MessagePackWriter()
    writer.writeString(String(repeating: "x", count: 40))
    #expect(writer.bytes.prefix(3) == [0xda, 0x00, 0x28])
    writer = MessagePackWriter()
    writer.writeRaw([UInt8](repeating: 1, count: 31))
    #expect(writer.bytes.first == 0xbf)
    writer = MessagePackWriter()
    writer.writeBytesOrNil([])
    #expect(writer.bytes == [0xc0])
  }

  @Test("every integer family reads into every integer field when the value fits")
  func integerFamiliesRead() throws {
    for encoded in [
      "05", "cc05", "cd0005", "ce00000005", "cf0000000000000005", "d005", "d10005", "d200000005",
      "d30000000000000005",
    ] {
      var reader = MessagePackReader(hex(encoded))
      #expect(try reader.readUnsigned(UInt16.self) == 5, "\(encoded)")
      reader = MessagePackReader(hex(encoded))
      #expect(try reader.readSigned(Int.self) == 5, "\(encoded)")
    }
  }

  @Test("signed formats with the high bit set read as negative numbers")
  func negativeSignedFormats() throws {
    for (encoded, value) in [
      ("d0ff", -1), ("d0 80", -128), ("d1 8000", -32768), ("d2 ffffffff", -1),
      ("d3 8000000000000000", Int(Int64.min)),
    ] {
      var reader = MessagePackReader(hex(encoded))
      #expect(try reader.readSigned(Int.self) == value, "\(encoded)")
    }
  }

  @Test("a negative or too wide value in an unsigned field is an error, not a trap")
  func integerOutOfRange() {
    var reader = MessagePackReader(hex("ff"))
    #expect(throws: WireError.self) { try reader.readUnsigned(UInt32.self) }
    reader = MessagePackReader(hex("ce00010000"))
    #expect(throws: WireError.self) { try reader.readUnsigned(UInt16.self) }
    reader = MessagePackReader(hex("cfffffffffffffffff"))
    #expect(throws: WireError.self) { try reader.readSigned(Int64.self) }
  }

  @Test("strings read from raw, str8 and bin alike")
  func stringFamilies() throws {
    for encoded in ["a3616263", "d903616263", "da0003616263", "c403616263", "c50003616263"] {
      var reader = MessagePackReader(hex(encoded))
      #expect(try reader.readString() == "abc", "\(encoded)")
    }
  }

  @Test("structs decode from maps in any key order, skip unknown keys, and from arrays")
  func structForms() throws {
    // Keys shuffled, plus an unknown key holding a nested map.
    var writer = MessagePackWriter()
    writer.writeMapHeader(count: 3)
    writer.writeString("SeqNo")
    writer.writeUnsigned(9)
    writer.writeString("Extra")
    writer.write(.map([.init(key: .string("a"), value: .array([.nil, .bool(true)]))]))
    writer.writeString("Node")
    writer.writeString("n1")
    var reader = MessagePackReader(writer.bytes)
    #expect(try Ping(from: &reader) == Ping(seqNo: 9, node: "n1"))

    // The same ping as an array in Go declaration order.
    writer = MessagePackWriter()
    writer.writeArrayHeader(count: 2)
    writer.writeUnsigned(9)
    writer.writeString("n1")
    reader = MessagePackReader(writer.bytes)
    #expect(try Ping(from: &reader) == Ping(seqNo: 9, node: "n1"))
  }

  @Test("errors name the field and the byte where decoding failed")
  func errorsArePositioned() throws {
    // ping {Node: "n", SeqNo: -1}
    let bytes = hex("82 a4 4e6f6465 a1 6e a5 5365714e6f ff")
    var reader = MessagePackReader(bytes)
    do {
      _ = try Ping(from: &reader)
      Issue.record("decoded a negative sequence number")
    } catch {
      #expect(error.offset == 14)
      #expect(error.description.contains("SeqNo"))
    }
  }

  @Test("a container claiming more elements than bytes remain is refused at once")
  func hostileCounts() {
    var reader = MessagePackReader(hex("dfffffffff00"))
    #expect(throws: WireError.self) { try reader.skipValue() }
    reader = MessagePackReader(hex("ddffffffff"))
    #expect(throws: WireError.self) { try reader.readValue() }
  }

  @Test("nesting deeper than the limit is an error, not a stack overflow")
  func deepNesting() {
    let bytes = [UInt8](repeating: 0x91, count: 10_000) + [0x00]
    var reader = MessagePackReader(bytes)
    #expect(throws: WireError.self) { try reader.readValue() }
    reader = MessagePackReader(bytes)
    #expect(throws: WireError.self) { try reader.skipValue() }
  }

  @Test("generic values round-trip through the writer and reader")
  func genericRoundTrip() throws {
    let value = MessagePackValue.map([
      .init(key: .string("n"), value: .signed(-70_000)),
      .init(key: .string("f"), value: .double(1.5)),
      .init(key: .string("l"), value: .array([.unsigned(1), .nil, .bool(false), .raw([0, 255])])),
      .init(key: .string("e"), value: .extension(type: 3, data: [1, 2, 3])),
    ])
    var writer = MessagePackWriter()
    writer.write(value)
    var reader = MessagePackReader(writer.bytes)
    #expect(try reader.readValue() == value)
    #expect(reader.isAtEnd)
  }
}
