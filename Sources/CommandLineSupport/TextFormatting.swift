#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

// Text helpers for the command-line tools, on the C library rather than
// Foundation: an agent that links Foundation for `String(format:)` carries
// its several megabytes of resident memory for its whole life.

extension String {
  /// The text cut or padded with spaces to exactly `width` characters,
  /// for aligned columns.
  public func padded(to width: Int) -> String {
    count >= width
      ? String(prefix(max(width, 0))) : self + String(repeating: " ", count: width - count)
  }
}

/// `value` with exactly `decimals` digits after the point ("1.50"), as
/// printf's `%.Nf` writes it.
public func fixed(_ value: Double, decimals: Int) -> String {
  let digits = min(max(decimals, 0), 17)
  var buffer = [CChar](repeating: 0, count: 64)
  let written = withVaList([value]) { arguments in
    buffer.withUnsafeMutableBufferPointer {
      vsnprintf($0.baseAddress, $0.count, "%.\(digits)f", arguments)
    }
  }
  guard written > 0 else { return String(value) }
  return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Writes `text` to a file descriptor (standard output is 1, standard
/// error 2), all of it, retrying short writes.
///
/// Standard output can be a socket: systemd connects a service's output to
/// journald by one. A write() to a socket whose reader went away raises
/// SIGPIPE, which would end a long-running `rumor agent`; so it is sent
/// with MSG_NOSIGNAL (the reader's loss is then an error, and the line is
/// dropped). A terminal, file or pipe refuses send() with ENOTSOCK and gets
/// write(): a closed pipe ending a command is the usual `rumor members |
/// head` behaviour.
public func writeAll(_ text: String, to descriptor: Int32) {
  var bytes = Array(text.utf8)[...]
  var isSocket = true
  while !bytes.isEmpty {
    var count = -1
    if isSocket {
      count = bytes.withUnsafeBytes {
        send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if count < 0 && errno == ENOTSOCK { isSocket = false }
    }
    if !isSocket {
      count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }
    if count < 0 && errno == EINTR { continue }
    guard count > 0 else { return }
    bytes = bytes.dropFirst(count)
  }
}

/// Everything on standard input until end of file.
public func readStandardInput() -> [UInt8] {
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65_536)
  while true {
    let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
    if count < 0 && errno == EINTR { continue }
    guard count > 0 else { return bytes }
    bytes.append(contentsOf: chunk.prefix(count))
  }
}
