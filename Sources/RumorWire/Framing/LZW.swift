/// LZW as Go's `compress/lzw` does it with LSB bit order and 8-bit
/// literals (the GIF flavour): codes 0-255 are bytes, 256 clears the
/// table, 257 ends the data, new codes start at 258, code width grows from
/// 9 to 12 bits, and the writer starts with a clear code and clears again
/// when the table is full. memberlist compresses with exactly this.
///
/// `compress` produces the same bytes as Go for the same input, so captured
/// compressed payloads can be re-encoded byte for byte.
public enum LZW {
  private static let clearCode: UInt32 = 256
  private static let endCode: UInt32 = 257
  private static let firstWidth = 9
  private static let maximumWidth = 12
  /// The last usable code; reaching it makes the writer clear the table.
  private static let maximumCode: UInt32 = 4095

  // MARK: Compression

  /// Compresses `input`.
  public static func compress<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
    var output = BitWriter(capacity: input.count / 2 + 16)
    output.write(clearCode, width: firstWidth)
    var iterator = input.makeIterator()
    guard let first = iterator.next() else {
      output.write(endCode, width: firstWidth)
      return output.finish()
    }
    var table = CodeTable(expectedEntries: min(input.count, 4096))
    var width = firstWidth
    var highest = endCode  // the code most recently assigned
    var overflow: UInt32 = 1 << firstWidth
    var code = UInt32(first)

    // After a code is emitted the next dictionary code is implied; this
    // widens the codes and, when the table is full, sends a clear.
    func advance() -> Bool {
      highest += 1
      if highest == overflow {
        width += 1
        overflow <<= 1
      }
      guard highest == maximumCode else { return true }
      output.write(clearCode, width: width)
      width = firstWidth
      highest = endCode
      overflow = 1 << firstWidth
      table.removeAll()
      return false
    }

    while let byte = iterator.next() {
      let key = code << 8 | UInt32(byte)
      if let known = table.code(for: key) {
        code = known
        continue
      }
      output.write(code, width: width)
      code = UInt32(byte)
      if advance() {
        table.insert(key: key, code: highest)
      }
    }
    output.write(code, width: width)
    _ = advance()
    output.write(endCode, width: width)
    return output.finish()
  }

  /// Packs codes least-significant bit first.
  private struct BitWriter {
    var bytes: [UInt8] = []
    var bits: UInt32 = 0
    var count = 0

    init(capacity: Int) {
      bytes.reserveCapacity(capacity)
    }

    mutating func write(_ code: UInt32, width: Int) {
      bits |= code << UInt32(count)
      count += width
      while count >= 8 {
        bytes.append(UInt8(truncatingIfNeeded: bits))
        bits >>= 8
        count -= 8
      }
    }

    mutating func finish() -> [UInt8] {
      if count > 0 {
        bytes.append(UInt8(truncatingIfNeeded: bits))
      }
      return bytes
    }
  }

  /// Maps (prefix code, next byte) to a dictionary code with open
  /// addressing. Sized to the input, so small packets stay cheap.
  private struct CodeTable {
    /// Each slot holds `key << 12 | code`; 0 is empty (codes are >= 258).
    var slots: [UInt32]
    let mask: Int

    init(expectedEntries: Int) {
      var size = 64
      while size < expectedEntries * 2 { size <<= 1 }
      slots = Array(repeating: 0, count: size)
      mask = size - 1
    }

    func code(for key: UInt32) -> UInt32? {
      var index = Self.hash(key) & mask
      while true {
        let slot = slots[index]
        if slot == 0 { return nil }
        if slot >> 12 == key { return slot & 0xfff }
        index = (index + 1) & mask
      }
    }

    mutating func insert(key: UInt32, code: UInt32) {
      var index = Self.hash(key) & mask
      while slots[index] != 0 {
        index = (index + 1) & mask
      }
      slots[index] = key << 12 | code
    }

    mutating func removeAll() {
      for index in slots.indices { slots[index] = 0 }
    }

    static func hash(_ key: UInt32) -> Int {
      Int(truncatingIfNeeded: (key &* 0x9E37_79B1) >> 16)
    }
  }

  // MARK: Decompression

  /// Decompresses `input`, refusing to produce more than `limit` bytes.
  ///
  /// The data must end with the end code (Go reports a missing one as an
  /// unexpected EOF); bytes after it are ignored.
  public static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(WireError)
    -> [UInt8]
  {
    var output: [UInt8] = []
    output.reserveCapacity(min(limit, input.count * 3))
    var prefix = [UInt16](repeating: 0, count: 4096)
    var suffix = [UInt8](repeating: 0, count: 4096)
    var scratch = [UInt8](repeating: 0, count: 4096)
    var position = input.startIndex
    var bits: UInt32 = 0
    var bitCount = 0
    var width = firstWidth
    var highest = endCode
    var overflow: UInt32 = 1 << firstWidth
    var last: UInt32? = nil

    while true {
      let codeStart = position
      while bitCount < width {
        guard position < input.endIndex else {
          throw WireError(.truncated, "LZW data ends without an end code", at: codeStart)
        }
        bits |= UInt32(input[position]) << UInt32(bitCount)
        position += 1
        bitCount += 8
      }
      let code = bits & ((1 << UInt32(width)) - 1)
      bits >>= UInt32(width)
      bitCount -= width

      if code < clearCode {
        output.append(UInt8(code))
        if let last {
          suffix[Int(highest)] = UInt8(code)
          prefix[Int(highest)] = UInt16(last)
        }
      } else if code == clearCode {
        width = firstWidth
        highest = endCode
        overflow = 1 << firstWidth
        last = nil
        continue
      } else if code == endCode {
        return output
      } else if code <= highest {
        // Expand right to left into `scratch`. A code equal to `highest` is
        // the one being defined: the last expansion plus its first byte.
        var index = scratch.count - 1
        var walk = code
        if code == highest, let last {
          var head = last
          while head >= clearCode { head = UInt32(prefix[Int(head)]) }
          scratch[index] = UInt8(head)
          index -= 1
          walk = last
        }
        while walk >= clearCode {
          guard index > 0 else {
            throw WireError(.malformed, "LZW code \(code) expands too far", at: codeStart)
          }
          scratch[index] = suffix[Int(walk)]
          index -= 1
          walk = UInt32(prefix[Int(walk)])
        }
        scratch[index] = UInt8(walk)
        output.append(contentsOf: scratch[index...])
        if let last {
          suffix[Int(highest)] = UInt8(walk)
          prefix[Int(highest)] = UInt16(last)
        }
      } else {
        throw WireError(
          .malformed, "invalid LZW code \(code) (highest defined is \(highest))", at: codeStart)
      }
      guard output.count <= limit else {
        throw WireError(.tooLarge, "LZW output exceeds the \(limit)-byte limit", at: codeStart)
      }
      last = code
      highest += 1
      if highest >= overflow {
        if width == maximumWidth {
          // The table is full and the writer did not clear it: keep
          // decoding with the table as it is, defining nothing new.
          last = nil
          highest -= 1
        } else {
          width += 1
          overflow <<= 1
        }
      }
    }
  }
}
