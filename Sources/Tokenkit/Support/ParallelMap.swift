import Dispatch

/// Order-preserving parallel map over contiguous chunks of the input.
package enum ParallelMap {
    /// The number of worker threads to use for `threads` (0 or less: one per active core).
    package static func workerCount(_ threads: Int, items: Int) -> Int {
        let cores = ProcessInfoLite.activeProcessorCount
        let wanted = threads <= 0 ? cores : threads
        return max(1, min(wanted, items))
    }

    package static func map<T: Sendable, R: Sendable, E: Error>(_ items: [T], threads: Int, _ transform: (T) throws(E) -> R) throws(E) -> [R] {
        let workers = workerCount(threads, items: items.count)
        if workers == 1 {
            var results: [R] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try transform(item)) }
            return results
        }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        // Deinitialized before being freed: results that hold references (arrays) leak otherwise.
        defer {
            results.deinitialize()
            results.deallocate()
        }
        // Each worker's first error, with the index of its item.
        let errors = UnsafeMutableBufferPointer<(index: Int, error: E)?>.allocate(capacity: workers)
        errors.initialize(repeating: nil)
        defer {
            errors.deinitialize()
            errors.deallocate()
        }
        // Small chunks taken on demand balance uneven inputs and uneven cores (a core shared with
        // another process finishes later); a lock per chunk costs nothing at this size.
        let chunk = max(1, min(64, items.count / (workers * 16)))
        let chunkCount = (items.count + chunk - 1) / chunk
        let next = ChunkCounter()
        withoutActuallyEscaping(transform) { transform in
            let box = UncheckedSendable((items, results, errors, transform))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let (items, results, errors, transform) = box.value
                while true {
                    let c = next.take()
                    guard c < chunkCount else { return }
                    let start = c * chunk
                    let end = min(items.count, start + chunk)
                    for i in start..<end {
                        do throws(E) {
                            results[i] = try transform(items[i])
                        } catch {
                            errors[worker] = (i, error)
                            next.stop(at: chunkCount)
                            return
                        }
                    }
                }
            }
        }
        // The error a sequential map would throw: chunks are taken in order, so every chunk before
        // the first failing item was finished or stopped at an earlier failure.
        if let first = errors.compactMap({ $0 }).min(by: { $0.index < $1.index }) { throw first.error }
        return results.map { $0! }
    }
}

/// Hands out chunk numbers to workers.
private final class ChunkCounter: @unchecked Sendable {
    private var next = 0
    private let lock = PThreadMutex()

    func take() -> Int {
        lock.withLock {
            defer { next += 1 }
            return next
        }
    }

    /// Makes every later `take` return `end` or more (after an error).
    func stop(at end: Int) {
        lock.withLock { next = max(next, end) }
    }
}

/// Wraps a value that is used from several threads in a way the compiler cannot check
/// (disjoint writes to preallocated buffers).
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}

/// The number of processors, without Foundation.
enum ProcessInfoLite {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
        #elseif canImport(Darwin)
        var n: Int32 = 0
        var size = MemoryLayout<Int32>.size
        sysctlbyname("hw.activecpu", &n, &size, nil, 0)
        return max(1, Int(n))
        #else
        return 1
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
