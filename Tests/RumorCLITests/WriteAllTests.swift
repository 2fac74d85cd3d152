import CommandLineSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("writeAll: the commands' output")
struct WriteAllTests {
  @Test("to a socket whose reader is gone: an error, not SIGPIPE ending the process")
  func socketWithoutReader() throws {
    var pair: [Int32] = [-1, -1]
    try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
    defer { close(pair[0]) }
    // A reader first: the text arrives whole.
    writeAll("journal line\n", to: pair[0])
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = read(pair[1], &buffer, buffer.count)
    #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "journal line\n")
    // Then journald goes away: the process must live on.
    close(pair[1])
    writeAll("lost line\n", to: pair[0])
    writeAll("another\n", to: pair[0])
  }

  @Test("to a pipe: written with write(), all of it")
  func pipeGetsEverything() throws {
    var ends: [Int32] = [-1, -1]
    try #require(pipe(&ends) == 0)
    defer {
      close(ends[0])
      close(ends[1])
    }
    let text = String(repeating: "x", count: 3000) + "\n"
    writeAll(text, to: ends[1])
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while received.count < text.utf8.count {
      let count = read(ends[0], &buffer, buffer.count)
      guard count > 0 else { break }
      received += buffer.prefix(count)
    }
    #expect(String(decoding: received, as: UTF8.self) == text)
  }
}
