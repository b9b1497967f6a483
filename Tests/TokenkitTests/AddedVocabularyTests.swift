import Testing
@testable import Tokenkit

@Suite struct AddedVocabularyTests {
    func segments(_ tokens: [AddedToken], _ text: String) -> [String] {
        var added = AddedVocabulary()
        added.add(tokens, modelID: { _ in nil }, modelVocabularySize: 100, normalizer: nil)
        let bytes = Array(text.utf8)
        return added.segments(of: bytes, policy: .init()).map { id, range in
            (id == nil ? "" : "#") + String(decoding: bytes[range], as: UTF8.self)
        }
    }

    @Test func leftmostLongest() {
        let tokens = [AddedToken("<a>", special: true), AddedToken("<a><b>", special: true), AddedToken("b>", special: true)]
        #expect(segments(tokens, "x<a><b>y<a>") == ["x", "#<a><b>", "y", "#<a>"])
    }

    /// Leftmost-longest matching by brute force, as the reference for the matcher.
    func naiveSegments(_ patterns: [String], _ text: String) -> [String] {
        let bytes = Array(text.utf8)
        let keys = patterns.map { Array($0.utf8) }
        var result: [String] = []
        var plainStart = 0
        var i = 0
        while i < bytes.count {
            let longest = keys.filter { bytes[i...].starts(with: $0) }.map(\.count).max()
            if let length = longest {
                if plainStart < i { result.append(String(decoding: bytes[plainStart..<i], as: UTF8.self)) }
                result.append("#" + String(decoding: bytes[i..<(i + length)], as: UTF8.self))
                i += length
                plainStart = i
            } else {
                i += 1
            }
        }
        if plainStart < bytes.count { result.append(String(decoding: bytes[plainStart...], as: UTF8.self)) }
        return result
    }

    /// Random texts against the brute-force reference, with patterns that all start with one byte
    /// (searched with memchr) and with patterns that start with different bytes (a table scan).
    @Test func matchesTheBruteForceReference() {
        var rng = SeededGenerator(seed: 77)
        let alphabet = ["<", ">", "a", "b", "é", " "]
        for patterns in [["<a>", "<a><b>", "<b", "<"], ["<a>", "b>", "ab", "é"]] {
            let tokens = patterns.map { AddedToken($0, special: true) }
            for _ in 0..<300 {
                let text = (0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
                #expect(segments(tokens, text).filter { !$0.isEmpty } == naiveSegments(patterns, text), "\(patterns) \(text)")
            }
        }
    }

    @Test func stripOptionsAbsorbWhitespace() {
        let tokens = [AddedToken("<t>", special: false, leftStrip: true, rightStrip: true, normalized: false)]
        #expect(segments(tokens, "a  <t>  b") == ["a", "#  <t>  ", "b"])
    }

    @Test func singleWordNeedsBoundaries() {
        let tokens = [AddedToken("word", special: false, singleWord: true)]
        #expect(segments(tokens, "word words sword word.") == ["#word", " words sword ", "#word", "."])
    }

    @Test func idsFollowTokenizersAssignment() {
        var added = AddedVocabulary()
        // "known" is in the model (id 7), the others get ids from the model's vocabulary size on.
        added.add([AddedToken("new1", special: true), AddedToken("known", special: true), AddedToken("new2", special: false)],
                  modelID: { $0 == "known" ? 7 : nil }, modelVocabularySize: 50, normalizer: nil)
        #expect(added.id(forContent: "new1") == 50)
        #expect(added.id(forContent: "known") == 7)
        #expect(added.id(forContent: "new2") == 51)
        #expect(added.isSpecial("new1") && !added.isSpecial("new2"))
    }
}
