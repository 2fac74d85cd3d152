import RumorWire

/// Messages waiting to be gossiped, each sent a limited number of times
/// (memberlist's `TransmitLimitedQueue`, SWIM §4.1).
///
/// - A new message about a member replaces any queued message about it
///   (invalidation), so stale news is never sent after fresh news.
/// - Messages sent fewer times go first (SWIM: prefer "younger" updates);
///   among equals, the newest first. (memberlist also prefers larger
///   messages among equals, a packing heuristic Rumor leaves out.)
/// - A message is dropped once it has been handed out `limit` times.
/// - A message may name a member that holds it already (a Serf query's
///   asker): packets to that member pass it over (`take`'s
///   `skippingHeldBy`), so that its few sends reach members that lack it.
///
/// Every operation is O(1) amortised or O(messages handed out), never
/// O(queue length): a seed in a 10,000-member join storm holds thousands.
///
/// A message longer than `maximumMessageSize` (what fits an empty packet)
/// could never be handed out; it is dropped on arrival and counted in
/// `oversizedDropped` rather than queued, where it would be skipped by
/// every `take` and, with enough of its kind, starve everything else.
///
/// The queue holds at most `capacity` messages; past that, the one sent
/// most often goes (it has had most of its chances), except news about
/// `protectedSubject` (this node's own alive or leave). Serf bounds its
/// queues the same way; memberlist does not, which in a join storm costs
/// every member a queue of thousands of alive messages.
struct BroadcastQueue {
  /// A queued message; its bytes are `storage[offset..<offset + length]`.
  /// 16 bytes (its subject is kept apart, in `slotSubjects`), and an entry
  /// 8: a node holds thousands of each while a large cluster joins
  /// (docs/simulation.md, "Scale: 10,000 nodes").
  private struct Item {
    /// 0 while the slot is free.
    var id: UInt32
    var offset: UInt32
    var length: Int32
    var transmits: Int32
  }

  /// An item's place in a bucket; stale once its item's id differs (0 is
  /// never an item's id). Ids wrap after 2^32 - 1 messages: an entry left
  /// stale that long could pass for its slot's item again, which at most
  /// sends that message once more or once less than its limit.
  private struct Entry {
    var slot: Int32
    var id: UInt32
  }

  /// Items by slot; freed slots (id 0) are reused.
  private var slots: [Item] = []
  /// The subject of each slot's message (nil for none or a free slot),
  /// beside `slots`; empty while no message with a subject was queued.
  /// Serf's queue never has one, so its items are 16 bytes, not 32.
  private var slotSubjects: [String?] = []
  /// The member known to hold each slot's message already (nil for none
  /// or a free slot), beside `slots`; empty while no such message was
  /// queued (only re-gossiped Serf queries name one).
  private var slotHolders: [NodeAddress?] = []
  /// Every queued message's bytes, one after the other: one buffer per
  /// queue rather than one heap array per message, which in a
  /// 10,000-node simulation cost each node hundreds of kilobytes (a heap
  /// block's header and rounding on every ~60-byte message). Released
  /// messages leave holes until `makeRoom` closes them.
  private var storage: [UInt8] = []
  /// Bytes of `storage` no queued message uses.
  private var wastedBytes = 0
  private var freeSlots: [Int32] = []
  /// `buckets[t]` lists the items sent `t` times, oldest first. Entries
  /// whose item was replaced or moved on go stale in place and are
  /// compacted once they outnumber the live ones.
  private var buckets: [[Entry]] = []
  /// `heads[t]`: entries of `buckets[t]` before it are dead (passed over
  /// by `dropMostSent`), so that no search walks them again.
  private var heads: [Int] = []
  private var liveCounts: [Int] = []
  /// The slot of each queued message that has a subject.
  private var subjects = SubjectIndex()
  private var nextID: UInt32 = 1
  /// How many messages are queued.
  private(set) var count = 0
  /// The most messages kept.
  var capacity = Int.max
  /// A subject whose news is never dropped for room.
  var protectedSubject: String?
  /// The longest message that fits an empty packet; longer ones are dropped.
  var maximumMessageSize = Int.max
  /// Messages dropped because they were longer than `maximumMessageSize`.
  private(set) var oversizedDropped = 0

  /// The smallest message worth looking for when a packet is nearly full.
  private static let smallestMessage = 8
  /// How many too-large messages one `take` may pass over before giving up.
  private static let maximumSkips = 64

  /// The bytes allocated for the queued messages' buffer (its capacity),
  /// released ones not yet compacted away and room to grow included.
  var storedBytes: Int { storage.capacity }

  /// The slots allocated for items, free ones and room to grow included.
  var slotCapacity: Int { slots.capacity }

  /// Whether nothing is queued.
  var isEmpty: Bool { count == 0 }

  /// Queues `bytes` (a whole message); a message with the same subject
  /// still queued is dropped. `holder`, when known, is a member that has
  /// the message already and need not be sent it (`take`).
  mutating func enqueue(_ bytes: [UInt8], subject: String?, heldBy holder: NodeAddress? = nil) {
    if let subject, let old = subjects.slot(of: subject, subjectAt: { self.subject(at: $0) }) {
      let transmits = slots[Int(old)].id == 0 ? nil : Int(slots[Int(old)].transmits)
      release(slot: old, countedIn: transmits)
    }
    // Dropped after the older news about its subject: that one is stale.
    guard bytes.count <= maximumMessageSize, bytes.count <= Int(Int32.max) else {
      oversizedDropped += 1
      return
    }
    makeRoom(for: bytes.count)
    // Offsets are 32 bits: a buffer past 4 GiB (a million messages of
    // 4 KiB) is past any queue limit's use; such a message is dropped.
    guard storage.count + bytes.count <= Int(UInt32.max) else {
      oversizedDropped += 1
      return
    }
    let item = Item(
      id: nextID, offset: UInt32(storage.count), length: Int32(bytes.count), transmits: 0)
    storage.append(contentsOf: bytes)
    nextID = nextID == .max ? 1 : nextID + 1
    let slot: Int32
    if let reused = freeSlots.popLast() {
      slot = reused
      slots[Int(slot)] = item
    } else {
      slot = Int32(slots.count)
      if slots.count == slots.capacity { slots.reserveCapacity(grownSlotCapacity) }
      slots.append(item)
    }
    if subject != nil || !slotSubjects.isEmpty {
      if slotSubjects.count < slots.count {
        if slotSubjects.capacity < slots.capacity {
          slotSubjects.reserveCapacity(slots.capacity)
        }
        slotSubjects.append(contentsOf: repeatElement(nil, count: slots.count - slotSubjects.count))
      }
      slotSubjects[Int(slot)] = subject
    }
    if holder != nil || !slotHolders.isEmpty {
      if slotHolders.count < slots.count {
        slotHolders.append(contentsOf: repeatElement(nil, count: slots.count - slotHolders.count))
      }
      slotHolders[Int(slot)] = holder
    }
    if let subject { withSubjects { $0.set(slot, for: subject, subjectAt: $1) } }
    append(Entry(slot: slot, id: item.id), toBucket: 0)
    count += 1
    if count > capacity { dropMostSent() }
  }

  /// The slots to allocate when `slots` is full: twice as many, but no
  /// more than a full queue uses (`capacity + 1`: a message is queued
  /// before the most-sent one is dropped). Doubling from 1,024 slots for
  /// the 1,025th gave every node kept full by a join nearly twice the
  /// tables it used.
  private var grownSlotCapacity: Int {
    let doubled = max(2 * slots.capacity, 16)
    return capacity < Int.max ? min(doubled, max(capacity + 1, slots.count + 1)) : doubled
  }

  /// Drops the message sent most often (the oldest of those), keeping
  /// news about the protected subject.
  ///
  /// O(1) amortised: the entries passed over on the way (stale ones, and
  /// the protected one, which is moved up to just before the victim) are
  /// left behind the bucket's head, so a queue kept full by a join storm
  /// does not rescan them on every arrival.
  private mutating func dropMostSent() {
    for bucket in stride(from: buckets.count - 1, through: 0, by: -1) where liveCounts[bucket] > 0 {
      var position = heads[bucket]
      var kept: Entry?
      var victim: Entry?
      while position < buckets[bucket].count {
        let entry = buckets[bucket][position]
        if isLive(entry) {
          guard let protectedSubject, subject(at: entry.slot) == protectedSubject else {
            victim = entry
            break
          }
          // Carried along; its place goes stale.
          kept = entry
          buckets[bucket][position].id = 0
        }
        position += 1
      }
      if let kept {
        // `position - 1` is at or after the kept entry's old place, and
        // stale (or that very place).
        buckets[bucket][position - 1] = kept
        heads[bucket] = position - 1
      } else {
        heads[bucket] = position
      }
      if let victim {
        release(slot: victim.slot, countedIn: bucket)
        return
      }
    }
  }

  /// Whether `entry` still points at its item, without copying the item.
  private func isLive(_ entry: Entry) -> Bool {
    entry.id != 0 && slots[Int(entry.slot)].id == entry.id
  }

  /// Whether a message about `subject` is still queued.
  func contains(subject: String) -> Bool {
    subjects.slot(of: subject, subjectAt: { self.subject(at: $0) }) != nil
  }

  /// Whether the last `take` passed over a message because its
  /// destination holds it already.
  private(set) var passedOverHeld = false

  /// Hands out messages that fit in `space` bytes, each costing its
  /// length plus `overheadEach`, at most `maximumCount` of them; each
  /// counts as one transmission, and one sent `limit` times is dropped.
  /// Messages queued as held by `skippingHeldBy` (the packet's
  /// destination) stay queued for other packets: sending them there would
  /// spend one of their `limit` sends on a member that has them.
  ///
  /// The messages are slices of the queue's buffer: use them before the
  /// next `enqueue` (which would otherwise have to copy the buffer).
  mutating func take(
    space: Int, overheadEach: Int, limit: Int, maximumCount: Int,
    skippingHeldBy destination: NodeAddress? = nil
  ) -> [ArraySlice<UInt8>] {
    var taken: [ArraySlice<UInt8>] = []
    passedOverHeld = false
    // Moved to their next bucket after the scan, so that one packet never
    // carries a message twice.
    var sent: [(entry: Entry, transmits: Int32)] = []
    var remaining = space
    var skips = 0
    var bucket = 0
    func wantsMore() -> Bool {
      remaining >= Self.smallestMessage + overheadEach && taken.count < maximumCount
        && skips < Self.maximumSkips
    }
    while bucket < buckets.count, wantsMore() {
      var position = buckets[bucket].count - 1
      while position >= heads[bucket], wantsMore() {
        let entry = buckets[bucket][position]
        guard let item = live(entry) else {
          if position == buckets[bucket].count - 1 { removeLast(of: bucket) }
          position -= 1
          continue
        }
        if let destination, holder(at: entry.slot) == destination {
          passedOverHeld = true
          skips += 1
          position -= 1
          continue
        }
        let length = Int(item.length)
        let cost = length + overheadEach
        guard cost <= remaining else {
          if length > maximumMessageSize {
            // Queued before the maximum was lowered: it fits no packet, so
            // it goes now rather than being skipped on every take. Its
            // entry goes stale in place (no compaction mid-scan).
            buckets[bucket][position].id = 0
            liveCounts[bucket] -= 1
            release(slot: entry.slot, countedIn: nil)
            oversizedDropped += 1
          } else {
            skips += 1
          }
          position -= 1
          continue
        }
        remaining -= cost
        let offset = Int(item.offset)
        taken.append(storage[offset..<offset + length])
        if position == buckets[bucket].count - 1 {
          removeLast(of: bucket)
        } else {
          buckets[bucket][position].id = 0
        }
        liveCounts[bucket] -= 1
        sent.append((entry, item.transmits + 1))
        position -= 1
      }
      bucket += 1
    }
    for (entry, transmits) in sent {
      if Int(transmits) >= limit {
        release(slot: entry.slot, countedIn: nil)
      } else {
        slots[Int(entry.slot)].transmits = transmits
        append(entry, toBucket: Int(transmits))
      }
    }
    for index in 0..<min(bucket + 1, buckets.count) { compactIfSparse(index) }
    if count == 0 { releaseEmptyTables() }
    return taken
  }

  /// Hands back the tables of an empty queue: slots, entries and the
  /// subject index never shrink on their own, and, sized for a join storm's
  /// thousands of messages, stayed with every node long after it. Which
  /// slots later messages take does not change what is sent.
  private mutating func releaseEmptyTables() {
    guard slots.count > Self.smallTable else { return }
    slots = []
    slotSubjects = []
    slotHolders = []
    freeSlots = []
    buckets = []
    heads = []
    liveCounts = []
    subjects.removeAll()
  }

  /// Tables of at most this many slots are kept when the queue empties.
  private static let smallTable = 64

  /// Drops everything.
  mutating func removeAll() {
    self = BroadcastQueue()
  }

  /// The subject of the message in `slot` (for `subjects`).
  private func subject(at slot: Int32) -> String? {
    Int(slot) < slotSubjects.count ? slotSubjects[Int(slot)] : nil
  }

  /// The member known to hold the message in `slot`, if any.
  private func holder(at slot: Int32) -> NodeAddress? {
    Int(slot) < slotHolders.count ? slotHolders[Int(slot)] : nil
  }

  /// Runs `body` on the subject index, moved out of the queue for the
  /// call (so that it is changed in place, not copied), with a reader of
  /// the subjects in the queue's items.
  private mutating func withSubjects(
    _ body: (inout SubjectIndex, (Int32) -> String?) -> Void
  ) {
    var index = subjects
    subjects = SubjectIndex()
    body(&index) { slot in self.subject(at: slot) }
    subjects = index
  }

  private func live(_ entry: Entry) -> Item? {
    let item = slots[Int(entry.slot)]
    guard entry.id != 0, item.id == entry.id else { return nil }
    return item
  }

  private mutating func removeLast(of bucket: Int) {
    buckets[bucket].removeLast()
    heads[bucket] = min(heads[bucket], buckets[bucket].count)
  }

  private mutating func append(_ entry: Entry, toBucket bucket: Int) {
    while buckets.count <= bucket {
      buckets.append([])
      heads.append(0)
      liveCounts.append(0)
    }
    buckets[bucket].append(entry)
    liveCounts[bucket] += 1
  }

  /// Rewrites `buckets[bucket]` with its live entries only (in their
  /// order, so nothing handed out changes) once stale ones are a fifth of
  /// it, or its allocation is four times what its live entries need: a
  /// node holds a full queue for the whole of a large join, and with
  /// stale entries up to half of a bucket, and arrays that never shrink,
  /// its entries took eight times the room of its live ones. A rewrite
  /// copies at most about four live entries for each stale one it drops,
  /// or comes after three quarters of the bucket's live entries went.
  private mutating func compactIfSparse(_ bucket: Int) {
    let entries = buckets[bucket].count
    let live = liveCounts[bucket]
    let sparse = entries > 16 && entries > live + live / 4
    let oversized = buckets[bucket].capacity > 4 * max(live, 16)
    guard sparse || oversized else { return }
    var compacted: [Entry] = []
    compacted.reserveCapacity(live)
    for entry in buckets[bucket][heads[bucket]...] where isLive(entry) {
      compacted.append(entry)
    }
    buckets[bucket] = compacted
    heads[bucket] = 0
  }

  /// Makes room for `length` more bytes when the buffer is full: by
  /// compacting it (a new buffer with the queued messages only) when
  /// released messages take a quarter of it or more, else by growing it
  /// by half. So the buffer is allocated only when full, holds at most
  /// about twice what is queued, and each byte is copied O(1) times on
  /// average.
  private mutating func makeRoom(for length: Int) {
    let needed = storage.count + length
    guard needed > storage.capacity else { return }
    guard wastedBytes * 4 >= storage.count, wastedBytes > 0 else {
      storage.reserveCapacity(max(needed, storage.count + storage.count / 2))
      return
    }
    let live = storage.count - wastedBytes
    var compacted: [UInt8] = []
    compacted.reserveCapacity(live + length + live / 2)
    for index in slots.indices {
      let item = slots[index]
      guard item.id != 0 else { continue }
      let start = Int(item.offset)
      slots[index].offset = UInt32(truncatingIfNeeded: compacted.count)
      compacted.append(contentsOf: storage[start..<start + Int(item.length)])
    }
    storage = compacted
    wastedBytes = 0
  }

  /// Frees an item; `countedIn` is the bucket whose live count still
  /// includes it (nil when the caller already took it out).
  private mutating func release(slot: Int32, countedIn bucket: Int?) {
    let item = slots[Int(slot)]
    guard item.id != 0 else { return }
    if let subject = subject(at: slot) {
      withSubjects { $0.remove(subject, ifAt: slot, subjectAt: $1) }
      slotSubjects[Int(slot)] = nil
    }
    if Int(slot) < slotHolders.count { slotHolders[Int(slot)] = nil }
    slots[Int(slot)] = Item(id: 0, offset: 0, length: 0, transmits: 0)
    freeSlots.append(slot)
    wastedBytes += Int(item.length)
    count -= 1
    if count == 0 {
      // Nothing queued: hand a large buffer back rather than keep it
      // until the next message (most nodes go quiet after a join); a
      // small one is kept for the next messages.
      storage.removeAll(keepingCapacity: storage.capacity <= 1_024)
      wastedBytes = 0
    }
    if let bucket, bucket < liveCounts.count {
      liveCounts[bucket] -= 1
      compactIfSparse(bucket)
    }
  }
}
