// Performance notes: the fast encoder's tables are megabytes wide and probed at
// random, so with 4 KB pages nearly every probe also misses the TLB (and a
// software prefetch that misses the TLB may be dropped). Asking for huge pages
// before the memory is first touched lets a few TLB entries cover a table. Large
// tables are mapped straight from the system, whose pages arrive zeroed: clearing
// them again would cost a pass over megabytes at loading time and every time the
// piece table grows.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Tables from this size are mapped from the system (below it, a page-granular mapping and a
/// system call would cost more than clearing the memory).
private let mappedTableThreshold = 1 << 16
private let hugePageSize = 2 << 20

/// Zeroed memory for a large hash table, 64-byte aligned (a slot never straddles a cache line
/// when slot sizes divide 64), on huge pages where the system offers them. Free it with
/// `deallocateZeroedTable(_:byteCount:)` and the same byte count.
func allocateZeroedTable(byteCount: Int) -> UnsafeMutableRawPointer {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    if byteCount >= mappedTableThreshold { return mapZeroedTable(byteCount: byteCount) }
    #endif
    let table = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    table.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    return table
}

/// Frees a table from `allocateZeroedTable(byteCount:)`.
func deallocateZeroedTable(_ table: UnsafeMutableRawPointer, byteCount: Int) {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    if byteCount >= mappedTableThreshold {
        _ = munmap(table, byteCount)
        return
    }
    #endif
    table.deallocate()
}

#if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
/// Anonymous zeroed pages, aligned to a huge page when the table spans one or more (the
/// mapping is made one huge page longer and its unaligned ends are given back). Running out of
/// memory stops the process, as a failed allocation does.
private func mapZeroedTable(byteCount: Int) -> UnsafeMutableRawPointer {
    let pageSize = Int(getpagesize())
    let mappedCount = (byteCount + pageSize - 1) / pageSize * pageSize
    let slack = byteCount >= hugePageSize ? hugePageSize : 0
    let length = mappedCount + slack
    guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
          mapped != MAP_FAILED else { fatalError("out of memory: cannot map \(byteCount) bytes for a table") }
    let start = UInt(bitPattern: mapped)
    let aligned = slack == 0 ? start : (start + UInt(slack) - 1) & ~UInt(slack - 1)
    let head = Int(aligned - start)
    if head > 0 { _ = munmap(mapped, head) }
    let tail = slack - head
    let table = UnsafeMutableRawPointer(bitPattern: aligned)!
    if tail > 0 { _ = munmap(table + mappedCount, tail) }
    #if os(Linux)
    if byteCount >= hugePageSize { _ = madvise(table, byteCount, 14 /* MADV_HUGEPAGE */) }
    #endif
    return table
}
#endif
