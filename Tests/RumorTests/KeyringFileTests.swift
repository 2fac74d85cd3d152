import Foundation
import Testing

@testable import Rumor

@Suite("The keyring file: Serf's format, atomic writes, clear errors")
struct KeyringFileTests {
  let first: [UInt8] = Array(0..<16)
  let second: [UInt8] = Array(16..<48)

  func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "keyring-\(UInt64.random(in: .min ... .max)).json"
    ).path
  }

  @Test("keys written are read back, primary first, in Serf's JSON, with mode 0600")
  func roundTrip() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try KeyringFile.write([second, first], to: path)
    #expect(try KeyringFile.load(path) == [second, first])
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let decoded = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
    #expect(decoded == [Data(second).base64EncodedString(), Data(first).base64EncodedString()])
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    #expect(mode == 0o600)
    #expect(!FileManager.default.fileExists(atPath: path + ".tmp"), "the temporary file is renamed")
    // A rewrite replaces it whole.
    try KeyringFile.write([first], to: path)
    #expect(try KeyringFile.load(path) == [first])
  }

  @Test("a file Serf wrote is read: indented, or on one line, with JSON's escapes")
  func readsSerfsFile() throws {
    let key = Data(first).base64EncodedString()
    let escaped = key.replacingOccurrences(of: "/", with: "\\/")
    for text in ["[\n  \"\(key)\"\n]", "[\"\(escaped)\"]", " [ \"\(key)\" ] \n"] {
      #expect(try KeyringFile.decode(Array(text.utf8), path: "k.json") == [first], "\(text)")
    }
  }

  @Test("a missing file is nil; bad files are errors that name the file and never a key")
  func badFiles() throws {
    #expect(try KeyringFile.load("/nonexistent/keyring.json") == nil)
    let cases: [(String, String)] = [
      ("", "keyring file k.json is not a JSON list of base64 keys (expected '[' at byte 0)"),
      ("{}", "keyring file k.json is not a JSON list of base64 keys (expected '[' at byte 0)"),
      ("[]", "keyring file k.json holds no key"),
      ("[\"not base64!\"]", "keyring file k.json key 1 is not valid base64"),
      ("[\"AAAA\"]", "keyring file k.json key 1 is 3 bytes; a key is 16, 24 or 32 bytes"),
      (
        "[\"AAAA\"", "keyring file k.json is not a JSON list of base64 keys (the list does not end)"
      ),
      (
        "[1]",
        "keyring file k.json is not a JSON list of base64 keys (expected a string at byte 1)"
      ),
      (
        "[\"\(Data(first).base64EncodedString())\"] x",
        "keyring file k.json is not a JSON list of base64 keys (text after the list at byte 29)"
      ),
    ]
    for (text, message) in cases {
      do {
        _ = try KeyringFile.decode(Array(text.utf8), path: "k.json")
        Issue.record("accepted \(text)")
      } catch {
        #expect(error.description == message, "\(text)")
      }
    }
    // Random bytes never crash the reader.
    let alphabet: [UInt8] = Array("[\"\\,]u0A ".utf8) + [0, 0xFF]
    for _ in 0..<2000 {
      let bytes: [UInt8] = (0..<Int.random(in: 0..<40)).map { _ in alphabet.randomElement() ?? 0 }
      _ = try? KeyringFile.decode(bytes, path: "k.json")
    }
  }

  @Test("a node keeps its keyring in the file: created from its keys, loaded when present")
  func nodeUsesTheFile() async throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    var configuration = NodeConfiguration(
      name: "keyring-node", bind: anyPort, settings: testSettings(), keys: [first], seed: 41)
    configuration.keyringFile = path
    let node = try RumorNode.start(configuration)
    await node.shutdown()
    #expect(try KeyringFile.load(path) == [first])
    // The file's keys win over the configured ones (they hold rotations).
    try KeyringFile.write([second, first], to: path)
    configuration.keys = [first]
    let again = try RumorNode.start(configuration)
    await again.shutdown()
    #expect(try KeyringFile.load(path) == [second, first])
    // Without a file or a key to create it: an error naming the file.
    configuration.keyringFile = path + ".missing"
    configuration.keys = []
    #expect(throws: KeyringFileError.self) { _ = try RumorNode.start(configuration) }
  }
}
