/// Trimming as configuration means it: spaces and tabs only, since a
/// value never spans lines.
extension Substring {
  /// Without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    var scalars = unicodeScalars
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }
}
