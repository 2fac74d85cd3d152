import Foundation

/// The configuration files shipped in `config/deployment/`.
enum ShippedFiles {
  static let names = ["local.yml", "docker-local.yml", "distributed.yml", "kubernetes.yml"]

  /// The path of a shipped file, found from this source file's place in
  /// the repository.
  static func path(_ name: String) -> String {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("config/deployment/\(name)").path
  }

  static func text(_ name: String) throws -> String {
    try String(contentsOfFile: path(name), encoding: .utf8)
  }
}
