#if canImport(Glibc)
import Glibc

/// Hands the free pages of the C heap back to the system. glibc keeps memory freed in the middle
/// of its heap (the word lists a trainer frees by the million as merges consume them) resident
/// until `malloc_trim`; found at run time, as the Glibc module does not declare it.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32
    nonisolated(unsafe) private static let trim: Trim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    static func releaseFreeMemory() {
        _ = trim?(0)
    }
}
#else
/// Other C libraries return freed memory on their own.
enum HeapTrim {
    static func releaseFreeMemory() {}
}
#endif
