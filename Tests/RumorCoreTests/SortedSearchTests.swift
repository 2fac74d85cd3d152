import Testing

@testable import RumorCore

@Suite("Binary search in a sorted collection")
struct SortedSearchTests {
  @Test("the first index not below the key, for every key in and around the elements")
  func lowerBound() {
    let names = ["b", "d", "d", "f"]
    #expect([String]().lowerBound(of: "a", by: { $0 }) == 0)
    #expect(names.lowerBound(of: "a", by: { $0 }) == 0)
    #expect(names.lowerBound(of: "b", by: { $0 }) == 0)
    #expect(names.lowerBound(of: "c", by: { $0 }) == 1)
    #expect(names.lowerBound(of: "d", by: { $0 }) == 1)
    #expect(names.lowerBound(of: "e", by: { $0 }) == 3)
    #expect(names.lowerBound(of: "g", by: { $0 }) == 4)
    // Against a linear scan, over a slice whose indices do not start at 0.
    let numbers = Array(0..<40).map { $0 * 3 / 2 }
    let slice = numbers[5..<30]
    for key in -1...50 {
      let expected = slice.firstIndex { $0 >= key } ?? slice.endIndex
      #expect(slice.lowerBound(of: key, by: { $0 }) == expected, "key \(key)")
    }
  }
}
