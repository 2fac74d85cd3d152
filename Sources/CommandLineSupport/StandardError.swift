/// Error lines on file descriptor 2, for the executables: written with
/// `write(2)` because the C `stderr` global is shared mutable state to
/// Swift 6's checker.
public enum StandardError {
  /// Writes `line` and a newline.
  public static func emit(_ line: String) {
    writeAll(line + "\n", to: 2)
  }
}
