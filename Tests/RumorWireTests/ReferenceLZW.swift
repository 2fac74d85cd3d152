/// Go's `compress/lzw` writer (LSB order, 8-bit literals) transcribed line
/// by line, with a dictionary in place of its hash table and its byte-at-a-
/// time bit writer: slow and obviously the same algorithm, so that the
/// tests can check `LZW.compress` against it byte for byte.
struct ReferenceLZW {
  private var output: [UInt8] = []
  private var bits: UInt32 = 0
  private var bitCount: UInt32 = 0
  private var width: UInt32 = 9
  private var highest: UInt32 = 257
  private var overflow: UInt32 = 512
  private var table: [UInt32: UInt32] = [:]

  /// What Go's `lzw.NewWriter(w, lzw.LSB, 8)` writes for one `Write` of
  /// `input` and `Close` (as memberlist compresses).
  static func compress(_ input: [UInt8]) -> [UInt8] {
    var writer = ReferenceLZW()
    writer.write(256)  // Write's first clear code (Close's, for empty input)
    if let first = input.first {
      var code = UInt32(first)
      for byte in input.dropFirst() {
        let key = code << 8 | UInt32(byte)
        if let found = writer.table[key] {
          code = found
          continue
        }
        writer.write(code)
        code = UInt32(byte)
        if writer.incrementHighest() { continue }
        writer.table[key] = writer.highest
      }
      // Close: the saved code, then incHi (which may clear).
      writer.write(code)
      _ = writer.incrementHighest()
    }
    writer.write(257)
    if writer.bitCount > 0 { writer.output.append(UInt8(writer.bits & 0xff)) }
    return writer.output
  }

  /// Go's `writeLSB`.
  private mutating func write(_ code: UInt32) {
    bits |= code << bitCount
    bitCount += width
    while bitCount >= 8 {
      output.append(UInt8(bits & 0xff))
      bits >>= 8
      bitCount -= 8
    }
  }

  /// Go's `incHi`: true when the codes ran out, the clear code was written
  /// and the table cleared.
  private mutating func incrementHighest() -> Bool {
    highest += 1
    if highest == overflow {
      width += 1
      overflow <<= 1
    }
    guard highest == 4095 else { return false }
    write(256)
    width = 9
    highest = 257
    overflow = 512
    table = [:]
    return true
  }
}
