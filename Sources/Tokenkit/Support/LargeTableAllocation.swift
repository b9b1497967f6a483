// Performance notes: the fast encoder's tables are megabytes wide and probed at
// random, so with 4 KB pages nearly every probe also misses the TLB (and a
// software prefetch that misses the TLB may be dropped). Asking for huge pages
// before the memory is first touched lets a few TLB entries cover a table.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Zeroed memory for a large hash table, 64-byte aligned (a slot never straddles a cache line
/// when slot sizes divide 64), on huge pages where the system offers them. Free it with
/// `deallocate()`.
func allocateZeroedTable(byteCount: Int) -> UnsafeMutableRawPointer {
    let hugePage = 2 << 20
    let alignment = byteCount >= hugePage ? hugePage : 64
    let table = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
    #if os(Linux)
    if byteCount >= hugePage { _ = madvise(table, byteCount, 14 /* MADV_HUGEPAGE */) }
    #endif
    table.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    return table
}
