import Dispatch

/// Order-preserving parallel map over contiguous chunks of the input.
enum ParallelMap {
    /// The number of worker threads to use for `threads` (0 or less: one per active core).
    static func workerCount(_ threads: Int, items: Int) -> Int {
        let cores = ProcessInfoLite.activeProcessorCount
        let wanted = threads <= 0 ? cores : threads
        return max(1, min(wanted, items))
    }

    static func map<T: Sendable, R: Sendable, E: Error>(_ items: [T], threads: Int, _ transform: (T) throws(E) -> R) throws(E) -> [R] {
        let workers = workerCount(threads, items: items.count)
        if workers == 1 {
            var results: [R] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(try transform(item)) }
            return results
        }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: items.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let errors = UnsafeMutableBufferPointer<E?>.allocate(capacity: workers)
        errors.initialize(repeating: nil)
        defer { errors.deallocate() }
        // Small chunks balance uneven inputs; each worker takes chunks in turn.
        let chunk = max(1, min(256, items.count / (workers * 8)))
        let chunkCount = (items.count + chunk - 1) / chunk
        withoutActuallyEscaping(transform) { transform in
            let box = UncheckedSendable((items, results, errors, transform))
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let (items, results, errors, transform) = box.value
                var c = worker
                while c < chunkCount {
                    let start = c * chunk
                    let end = min(items.count, start + chunk)
                    for i in start..<end {
                        do throws(E) {
                            results[i] = try transform(items[i])
                        } catch {
                            errors[worker] = error
                            return
                        }
                    }
                    c += workers
                }
            }
        }
        for e in errors { if let e { throw e } }
        return results.map { $0! }
    }
}

/// Wraps a value that is used from several threads in a way the compiler cannot check
/// (disjoint writes to preallocated buffers).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
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
