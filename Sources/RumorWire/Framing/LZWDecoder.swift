/// An LZW decoding in progress (the format `LZW` describes): the input read
/// so far, the bits read but not yet used, the dictionary's size and code
/// width, and the output written.
///
/// Every dictionary entry is a stretch of the output already written (the
/// previous code's expansion plus one byte), so the table keeps each as
/// its start and length in the output, and a code is one forward copy.
///
/// `decode` works on raw buffers; the data is a peer's, so every index it
/// derives from it is checked against its buffer before use.
struct LZWDecoder {
  /// Why `decode` returned.
  enum Stop {
    /// The end code: the first `written` bytes of the output are the result.
    case end
    /// The output buffer must hold at least this many bytes to go on;
    /// call `decode` again with a larger one holding the same output.
    case needsSpace(Int)
    /// The data is invalid, or its output would pass the limit.
    case failure(WireError)
  }

  /// Bytes of output written so far.
  private(set) var written = 0
  private var position = 0
  private var bits: UInt64 = 0
  private var bitCount = 0
  private var width = LZW.firstWidth
  private var highest = LZW.endCode
  private var overflow: UInt32 = 1 << LZW.firstWidth
  /// Whether the next code defines an entry: a code came before it since
  /// the last clear, and the table is not full.
  private var defining = false
  private var lastStart = 0
  /// The longest entry defined so far: no code expands to more than one
  /// byte over it.
  private var longest = 1

  /// Extra bytes the output buffer holds past any expansion: copies move
  /// whole 8-byte words and may write up to 7 bytes past their end.
  static let slack = 8

  /// Decodes `input` into `output` until the end code, an error, or a code
  /// whose expansion might not fit in `output`.
  ///
  /// `table` holds each code's start and length in the output (two `Int`s
  /// per code, zeroed before the first call, the same on every call).
  /// `base` is the index of `input`'s first byte in the caller's buffer,
  /// for the offsets of errors. The output never passes `limit` bytes.
  mutating func decode(
    _ input: UnsafeBufferPointer<UInt8>, base: Int, into output: UnsafeMutableBufferPointer<UInt8>,
    table: UnsafeMutableBufferPointer<Int>, limit: Int
  ) -> Stop {
    // The state in locals for the loop, stored back on every return.
    var written = self.written
    var position = self.position
    var bits = self.bits
    var bitCount = self.bitCount
    var width = self.width
    var highest = self.highest
    var overflow = self.overflow
    var defining = self.defining
    var lastStart = self.lastStart
    var longest = self.longest
    defer {
      self.written = written
      self.position = position
      self.bits = bits
      self.bitCount = bitCount
      self.width = width
      self.highest = highest
      self.overflow = overflow
      self.defining = defining
      self.lastStart = lastStart
      self.longest = longest
    }
    let bytes = UnsafeRawBufferPointer(input)
    let target = UnsafeMutableRawBufferPointer(output)
    // Output may be written below `capacity`; the slack above is for the
    // tails of whole-word copies.
    let capacity = output.count - Self.slack
    let entries = table.count / 2

    func failure(_ kind: WireError.Kind, _ reason: String, at offset: Int) -> Stop {
      .failure(WireError(kind, reason, at: base + offset))
    }

    while true {
      // Room for the longest expansion the next code can have, or for
      // output up to the limit: then every copy below fits.
      let needed = min(written + longest + 1, limit)
      if needed > capacity { return .needsSpace(needed + Self.slack) }

      // The first byte not wholly used is where this code starts.
      let codeStart = position - bitCount >> 3
      if bitCount < width {
        if position + 8 <= input.count {
          // Eight bytes at once; keep as many whole ones as fit above the
          // bits left (the rest are read again next time).
          let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
          bits |= UInt64(littleEndian: word) << UInt64(bitCount)
          let taken = (63 - bitCount) >> 3
          position += taken
          bitCount += taken << 3
        } else {
          while bitCount < width {
            guard position < input.count else {
              // The data's length is known (it is a whole msgpack field), so
              // this is malformed, not a stream that more bytes would complete.
              return failure(.malformed, "LZW data ends without an end code", at: codeStart)
            }
            bits |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
          }
        }
      }
      let code = UInt32(truncatingIfNeeded: bits) & ((1 << UInt32(width)) - 1)
      bits >>= UInt64(width)
      bitCount -= width

      if code == LZW.clearCode {
        width = LZW.firstWidth
        highest = LZW.endCode
        overflow = 1 << LZW.firstWidth
        defining = false
        continue
      }
      if code == LZW.endCode { return .end }
      guard code < LZW.clearCode || code <= highest else {
        return failure(
          .malformed, "invalid LZW code \(code) (highest defined is \(highest))", at: codeStart)
      }
      // Codes and `highest` stay below the table's size: the table holds
      // one entry per code this input can carry (checked, as untrusted).
      guard Int(highest) < entries else {
        return failure(.malformed, "LZW data defines more codes than it can carry", at: codeStart)
      }
      if defining {
        // The entry being defined: the previous expansion and the first
        // byte of this one, which starts right after it. For a code equal
        // to `highest` this is the very expansion about to be copied.
        let length = written + 1 - lastStart
        table[2 * Int(highest)] = lastStart
        table[2 * Int(highest) + 1] = length
        longest = max(longest, length)
      }
      if code < LZW.clearCode {
        guard written < limit else {
          return failure(.tooLarge, "LZW output exceeds the \(limit)-byte limit", at: codeStart)
        }
        // Below `capacity`: `needed` above is at least `written + 1` here.
        output[written] = UInt8(truncatingIfNeeded: code)
        lastStart = written
        written += 1
      } else {
        let source = table[2 * Int(code)]
        let length = table[2 * Int(code) + 1]
        guard written + length <= limit else {
          return failure(.tooLarge, "LZW output exceeds the \(limit)-byte limit", at: codeStart)
        }
        // An entry is a stretch of what was written before it, and `needed`
        // made room for it; checked all the same, so that the copy reads
        // only output already written and writes only inside the buffer.
        guard source >= 0, source < written, length >= 1, written + length <= capacity else {
          return failure(.malformed, "LZW code \(code) refers past the output", at: codeStart)
        }
        let distance = written - source
        if distance >= min(length, 8) {
          // Whole words, forwards: each reads only bytes written before
          // it (at least 8 back, or a single word from a source that ends
          // before `written`). The last may write up to 7 bytes of slack,
          // overwritten by later output or cut off at the end.
          var offset = 0
          repeat {
            let word = target.loadUnaligned(fromByteOffset: source + offset, as: UInt64.self)
            target.storeBytes(of: word, toByteOffset: written + offset, as: UInt64.self)
            offset += 8
          } while offset < length
        } else {
          // Byte by byte, forwards: for a code equal to `highest` the copy
          // reads the bytes it has just written, as LZ77 overlaps do.
          for offset in 0..<length { output[written + offset] = output[source + offset] }
        }
        lastStart = written
        written += length
      }
      defining = true
      highest += 1
      if highest >= overflow {
        if width == LZW.maximumWidth {
          // The table is full and the writer did not clear it: keep
          // decoding with the table as it is, defining nothing new.
          defining = false
          highest -= 1
        } else {
          width += 1
          overflow <<= 1
        }
      }
    }
  }
}
