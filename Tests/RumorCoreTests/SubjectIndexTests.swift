import Testing

@testable import RumorCore

@Suite("The broadcast queue's subject index")
struct SubjectIndexTests {
  @Test("every subject leads to its slot through random sets and removals, as a dictionary's")
  func matchesADictionary() {
    var index = SubjectIndex()
    // Slot -> subject, as a queue's items hold them; the model is what a
    // dictionary keyed by subject would say.
    var items: [Int32: String] = [:]
    var model: [String: Int32] = [:]
    var random = SplitMix64(seed: 7)
    var nextSlot: Int32 = 0
    // Few distinct subjects, so that sets replace and removals hit runs.
    let subjects = (0..<300).map { "member-\($0)" }
    for _ in 0..<20_000 {
      guard let subject = subjects.randomElement(using: &random) else { continue }
      if Bool.random(using: &random) {
        let slot = nextSlot
        nextSlot += 1
        items[slot] = subject
        if let old = model[subject] {
          if Bool.random(using: &random) {
            // Removed with its item first, as the queue does.
            index.remove(subject, ifAt: old) { items[$0] }
            #expect(index.slot(of: subject) { items[$0] } == nil)
            items[old] = nil
            index.set(slot, for: subject) { items[$0] }
          } else {
            // Replaced in place while the old item still names it.
            index.set(slot, for: subject) { items[$0] }
            items[old] = nil
          }
        } else {
          index.set(slot, for: subject) { items[$0] }
        }
        model[subject] = slot
      } else if let slot = model[subject] {
        // A removal that names another slot changes nothing.
        index.remove(subject, ifAt: slot + 1) { items[$0] }
        #expect(index.slot(of: subject) { items[$0] } == slot)
        index.remove(subject, ifAt: slot) { items[$0] }
        items[slot] = nil
        model[subject] = nil
      }
    }
    #expect(index.count == model.count)
    for subject in subjects {
      #expect(index.slot(of: subject) { items[$0] } == model[subject])
    }
    index.removeAll()
    #expect(index.count == 0)
    #expect(index.slot(of: "member-1") { items[$0] } == nil)
  }
}
