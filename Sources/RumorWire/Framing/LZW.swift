/// LZW as Go's `compress/lzw` does it with LSB bit order and 8-bit
/// literals (the GIF flavour): codes 0-255 are bytes, 256 clears the
/// table, 257 ends the data, new codes start at 258, code width grows from
/// 9 to 12 bits, and the writer starts with a clear code and clears again
/// when the table is full. memberlist compresses with exactly this.
///
/// `compress` produces the same bytes as Go for the same input, so captured
/// compressed payloads can be re-encoded byte for byte.
public enum LZW {
  /// The code that clears the table.
  static let clearCode: UInt32 = 256
  /// The code that ends the data.
  static let endCode: UInt32 = 257
  /// The width of codes after a clear.
  static let firstWidth = 9
  /// The widest codes.
  static let maximumWidth = 12
  /// The last usable code; reaching it makes the writer clear the table.
  static let maximumCode: UInt32 = 4095

  // MARK: Compression

  /// Compresses `input`.
  public static func compress(_ input: [UInt8]) -> [UInt8] {
    compress(input[...])
  }

  /// Compresses `input`.
  public static func compress(_ input: ArraySlice<UInt8>) -> [UInt8] {
    compress(input, maximumCount: Int.max) ?? []
  }

  /// Compresses `input`, or returns nil as soon as the output grows past
  /// `maximumCount` bytes: a caller that keeps the result only if it is
  /// smaller than something learns early that it is not, without paying
  /// for the rest. A result it returns is the whole output, the same
  /// bytes `compress(_:)` gives.
  public static func compress(_ input: ArraySlice<UInt8>, maximumCount: Int) -> [UInt8]? {
    // Codes are at most 12 bits per input byte, plus clear and end codes
    // and one clear per 3,838 codes: 2 bytes per input byte is a safe
    // bound, and the slack covers the 4-byte stores of the bit writer.
    let capacity = 2 * input.count + 16
    // The table lives only for this call: a temporary allocation (on the
    // stack when it fits) rather than a heap array per packet, whose
    // malloc and free were a tenth of a large simulation's time.
    return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: tableSize(input.count)) {
      slots in
      slots.initialize(repeating: 0)
      var finished = true
      // Not zero-filled first: every byte counted as written was stored.
      let output = [UInt8](unsafeUninitializedCapacity: capacity) { target, count in
        let written = input.withUnsafeBufferPointer { source in
          compress(source, into: target, table: slots, maximumCount: maximumCount)
        }
        finished = written >= 0
        count = max(written, 0)
      }
      return finished ? output : nil
    }
  }

  /// Compresses `input` into a temporary buffer (on the stack when it
  /// fits) and returns what `body` makes of the output, or nil, without
  /// calling `body`, as soon as the output grows past `maximumCount`
  /// bytes. The bytes are those `compress(_:maximumCount:)` returns; a
  /// caller that wraps them in an envelope builds one array, not two.
  static func withCompressed<Result>(
    _ input: ArraySlice<UInt8>, maximumCount: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
  ) -> Result? {
    let capacity = 2 * input.count + 16
    return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: tableSize(input.count)) {
      slots in
      slots.initialize(repeating: 0)
      return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { target in
        let written = input.withUnsafeBufferPointer { source in
          compress(source, into: target, table: slots, maximumCount: maximumCount)
        }
        guard written >= 0 else { return nil }
        return body(UnsafeBufferPointer(rebasing: target[..<written]))
      }
    }
  }

  /// Slots of the compressor's table for `count` bytes of input: a power
  /// of two, at least twice the entries the input can define (at most
  /// one per byte), and 16,384 (64 KiB, Go's own size) for inputs over
  /// 4 KiB. Those fill the table (3,838 entries between clears): a
  /// quarter full, probes stay short; at the 8,192 slots used before,
  /// half full, a push-pull's compression took longer (docs/benchmarks.md).
  private static func tableSize(_ count: Int) -> Int {
    var size = 64
    while size < min(count, 8192) * 2 { size <<= 1 }
    return size
  }

  /// The compressor proper, on raw buffers: the input is ours (a message
  /// this node encoded), the output is sized for the worst case above, and
  /// every table index is masked, so no access can leave its buffer.
  /// Returns the bytes written, or -1 once they pass `maximumCount`.
  private static func compress(
    _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
    table slots: UnsafeMutableBufferPointer<UInt32>, maximumCount: Int
  ) -> Int {
    let raw = UnsafeMutableRawBufferPointer(output)
    var bits: UInt64 = 0
    var bitCount: UInt64 = 0
    var written = 0
    // Codes are gathered 32 bits at a time and stored as one
    // little-endian word: fewer stores and branches than byte by byte.
    func emit(_ code: UInt32, _ width: Int) {
      // Masking shifts and wrapping sums: `bitCount` stays below 44 and
      // `written` below the output's size, so neither can wrap.
      bits |= UInt64(code) &<< bitCount
      bitCount &+= UInt64(width)
      if bitCount >= 32 {
        raw.storeBytes(
          of: UInt32(truncatingIfNeeded: bits).littleEndian, toByteOffset: written, as: UInt32.self)
        written &+= 4
        bits &>>= 32
        bitCount &-= 32
      }
    }
    let mask = slots.count - 1
    emit(clearCode, firstWidth)
    var width = firstWidth
    if let first = input.first {
      var highest = endCode  // the code most recently assigned
      var overflow: UInt32 = 1 << firstWidth
      var code = UInt32(first)
      // Where the current code's entry sits in the table (its byte for a
      // literal). A child's home slot derives from this position and the
      // next byte, both known before the current slot is even read, so
      // the processor can start the next lookup's load while this one's is
      // still on its way: a run of matches is not a chain of loads. (The
      // code read out of the slot, which the home slot came from before,
      // made each lookup wait for the one before it.)
      var node = Int(truncatingIfNeeded: first)
      var position = 1
      let end = input.count
      scan: while position < end {
        let byte = input[position]
        position &+= 1
        // Each slot holds `key << 12 | code`; 0 is empty (codes are >= 258).
        let key = code << 8 | UInt32(byte)
        var index =
          (node &* 5 &+ Int(truncatingIfNeeded: (UInt32(byte) &* 0x9E37_79B1) &>> 18)) & mask
        while true {
          let slot = slots[index]
          if slot == 0 { break }
          if slot &>> 12 == key {
            code = slot & 0xfff
            node = index
            continue scan
          }
          index = (index &+ 1) & mask
        }
        emit(code, width)
        if written > maximumCount { return -1 }
        code = UInt32(byte)
        node = Int(truncatingIfNeeded: byte)
        // The next dictionary code is implied by the emission: widen the
        // codes when it needs another bit, and clear a full table.
        highest &+= 1
        if highest == overflow {
          width &+= 1
          overflow &<<= 1
        }
        if highest == maximumCode {
          emit(clearCode, width)
          width = firstWidth
          highest = endCode
          overflow = 1 << firstWidth
          slots.update(repeating: 0)
        } else {
          // `index` is the empty slot where the probe above stopped.
          slots[index] = key << 12 | highest
        }
      }
      emit(code, width)
      highest += 1
      if highest == overflow {
        width += 1
        overflow <<= 1
      }
      if highest == maximumCode {
        emit(clearCode, width)
        width = firstWidth
      }
    }
    emit(endCode, width)
    while bitCount > 0 {
      output[written] = UInt8(truncatingIfNeeded: bits)
      written += 1
      bits >>= 8
      bitCount = bitCount > 8 ? bitCount - 8 : 0
    }
    return written > maximumCount ? -1 : written
  }

  // MARK: Decompression

  /// Decompresses `input`, refusing to produce more than `limit` bytes.
  ///
  /// The data must end with the end code (Go reports a missing one as an
  /// unexpected EOF); bytes after it are ignored.
  public static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(WireError)
    -> [UInt8]
  {
    // Each code read defines at most one entry, and a code takes at least
    // 9 bits: the table never needs more entries than that (a packet's
    // worth of input sets up a few hundred, not all 4,096).
    let entries = min(4096, Int(endCode) + 2 + input.count * 8 / firstWidth)
    // Starts and lengths in one temporary allocation (on the stack when
    // it fits), zeroed: two heap arrays per packet cost more than the
    // decoding at a simulation's scale.
    return try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * entries) {
      table throws(WireError) in
      table.initialize(repeating: 0)
      var decoder = LZWDecoder()
      // Gossip packets inflate about twofold, a push-pull of many members
      // about fivefold: room for that much spares a large one a second
      // buffer and a copy.
      let ratio = input.count > 4096 ? 8 : 4
      var output = [UInt8](
        repeating: 0, count: max(64, min(limit, input.count * ratio)) + LZWDecoder.slack)
      while true {
        let stop = output.withUnsafeMutableBufferPointer { buffer in
          input.withUnsafeBufferPointer { source in
            decoder.decode(source, base: input.startIndex, into: buffer, table: table, limit: limit)
          }
        }
        switch stop {
        case .end:
          output.removeLast(output.count - decoder.written)
          return output
        case .needsSpace(let count):
          // An array of zeros appends as one copy; `repeatElement` appends
          // element by element, ~0.6 µs each in a debug build, which made a
          // run of zeros (the cheapest LZW bomb) cost a second per MiB.
          output.append(
            contentsOf: [UInt8](repeating: 0, count: max(output.count, count - output.count)))
        case .failure(let error):
          throw error
        }
      }
    }
  }
}
