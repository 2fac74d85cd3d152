/// Plain aligned columns for terminal output.
enum TextTable {
  /// The header and rows, each column as wide as its widest cell, two
  /// spaces apart; the last column is not padded.
  static func render(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in
      all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    return all.map { row in
      row.enumerated().map { column, cell in
        column == row.count - 1
          ? cell : cell.padded(to: widths[column])
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }
}
