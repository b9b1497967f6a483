import Testing
@testable import Tokenkit

@Suite struct ParallelMapTests {
    struct Failure: Error, Equatable { let index: Int }

    @Test(arguments: [1, 2, 3, 8])
    func keepsOrder(threads: Int) {
        let items = Array(0..<5_000)
        let results = ParallelMap.map(items, threads: threads) { (i: Int) -> String in String(i * 3) }
        #expect(results == items.map { String($0 * 3) })
        #expect(ParallelMap.map([Int](), threads: threads) { $0 }.isEmpty)
    }

    /// Whatever the scheduling, the error is the one a sequential loop would meet first.
    @Test(arguments: [1, 2, 4])
    func throwsTheFirstFailure(threads: Int) {
        for firstFailure in [0, 1, 700, 2_999] {
            let failing = Set([firstFailure, firstFailure + 1, 2_999].filter { $0 >= firstFailure })
            #expect(throws: Failure(index: firstFailure)) {
                try ParallelMap.map(Array(0..<3_000), threads: threads) { (i: Int) throws(Failure) -> Int in
                    if failing.contains(i) { throw Failure(index: i) }
                    return i
                }
            }
        }
    }
}
