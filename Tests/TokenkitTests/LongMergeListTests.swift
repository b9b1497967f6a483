import Dispatch
import Testing
@testable import Tokenkit

/// Merge lists long enough to be resolved in two parts at once (the tail on another core, see
/// `VocabularyBuilder.parallelMergeCount`) give the same model and the same errors as a list
/// read in order.
@Suite struct LongMergeListTests {
    /// A tokenizer.json with every two-letter token of 260 letters (67,600 merges), then
    /// x y → xy and y z → yz at the head; `tail` is appended to the merge list.
    /// `replacing` maps ranks to other merge entries.
    static func tokenizer(head: [String] = [#"["x", "y"]"#, #"["y", "z"]"#], tail: [String], replacing: [Int: String] = [:]) -> String {
        let letters = (0..<260).map { String(UnicodeScalar(0x100 + $0)!) }
        var vocab = ["\"x\": 0", "\"y\": 1", "\"z\": 2", "\"xy\": 3", "\"yz\": 4"]
        var merges = head
        for (i, letter) in letters.enumerated() { vocab.append("\"\(letter)\": \(5 + i)") }
        var id = 5 + letters.count
        for a in letters {
            for b in letters {
                vocab.append("\"\(a)\(b)\": \(id)")
                merges.append("[\"\(a)\", \"\(b)\"]")
                id += 1
            }
        }
        merges += tail
        for (rank, entry) in replacing { merges[rank] = entry }
        return #"{"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null, "#
            + #""decoder": null, "model": {"type": "BPE", "vocab": {"# + vocab.joined(separator: ", ")
            + #"}, "merges": ["# + merges.joined(separator: ", ") + "]}}"
    }

    func load(_ text: String) throws(TokenizerLoadingError) -> Tokenizer {
        try Tokenizer.load(Array(text.utf8), format: .tokenizerJSON, name: "long.json")
    }

    @Test func everyMergeOfTheTailIsKept() throws {
        let tokenizer = try load(Self.tokenizer(tail: []))
        // (Two letters near the end of the list, which the tail resolves, and the first two.)
        let firstTwoLetter = 5 + 260
        let lateTwoLetter: TokenID = TokenID(firstTwoLetter + 0x100 * 260 + 0x101)
        #expect(try tokenizer.encodeIDs("\u{200}\u{201}\u{100}\u{100}") == [lateTwoLetter, TokenID(firstTwoLetter)])
    }

    @Test func severalLoadsAtOnceGiveTheSameModel() throws {
        // (Each load resolves its merges on two threads of its own, whoever calls it.)
        let text = Self.tokenizer(tail: [#"["x", "y"]"#])
        let results = UncheckedSendable(UnsafeMutableBufferPointer<[TokenID]?>.allocate(capacity: 4))
        results.value.initialize(repeating: nil)
        defer { results.value.deinitialize(); results.value.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            results.value[i] = try? Tokenizer.load(Array(text.utf8), format: .tokenizerJSON).encodeIDs("xyz\u{200}\u{201}")
        }
        for i in 0..<4 { #expect(results.value[i] == [0, 4, TokenID(5 + 260 + 0x100 * 260 + 0x101)]) }
    }

    @Test func aPairListedAgainInTheTailTakesItsLastRank() throws {
        // Like `tokenizers`: x y listed again after y z ranks after it, so "xyz" is x, yz.
        #expect(try load(Self.tokenizer(tail: [])).encodeIDs("xyz") == [3, 2])
        #expect(try load(Self.tokenizer(tail: [#"["x", "y"]"#])).encodeIDs("xyz") == [0, 4])
        // And listed again only in the head, after y z, it keeps that (last) rank.
        #expect(try load(Self.tokenizer(head: [#"["x", "y"]"#, #"["y", "z"]"#, #"["x", "y"]"#], tail: [])).encodeIDs("xyz") == [0, 4])
    }

    @Test func aBadMergeInTheTailIsReportedAtItsRank() {
        let rank = 2 + 260 * 260
        do {
            _ = try load(Self.tokenizer(tail: [#"["x", "q"]"#]))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.description.contains("field model.merges[\(rank)]: token \"q\" is not in the vocabulary"), "\(error.description)")
        }
    }

    @Test func theFirstOfSeveralBadMergesIsReportedWhereverTheyAre() {
        // Ranks in different runs of `MergeRuns`, in both orders of the list's halves.
        for (first, second) in [(30_001, 60_002), (20_000, 20_001), (8191, 8192), (65_000, 3)] {
            let bad = [first: #"["x", "q"]"#, second: #"["x", "r"]"#]
            let expected = min(first, second)
            do {
                _ = try load(Self.tokenizer(tail: [], replacing: bad))
                Issue.record("expected an error")
            } catch {
                #expect(error.description.contains("field model.merges[\(expected)]: token \"\(expected == first ? "q" : "r")\" is not in the vocabulary"),
                        "\(error.description)")
            }
        }
    }

    @Test func theFirstBadMergeIsReportedWhenBothPartsHaveOne() {
        do {
            _ = try load(Self.tokenizer(head: [#"["x", "y"]"#, #"["y", "w"]"#], tail: [#"["x", "q"]"#]))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("field model.merges[1]: token \"w\" is not in the vocabulary"), "\(error.description)")
        }
    }
}
