import Testing
@testable import Tokenkit

/// Alignment rules of `tokenizers`' NormalizedString (expected values from its own unit tests).
@Suite struct NormalizedStringTests {
    func alignments(_ n: NormalizedString) -> [[Int]] {
        n.alignments.map { [$0.start, $0.end] }
    }

    @Test func nfdAddsCharactersAlignedToTheirSource() {
        var n = NormalizedString("élégant")
        n.normalize(form: .nfd)
        #expect(alignments(n) == [[0, 2], [0, 2], [0, 2], [2, 3], [3, 5], [3, 5], [3, 5], [5, 6], [6, 7], [7, 8], [8, 9]])
    }

    @Test func nfcRoundTrip() {
        var n = NormalizedString("e\u{301}le\u{301}gant")
        n.normalize(form: .nfc)
        #expect(n.normalizedString == "élégant")
        // The composed é replaces 'e' and removes the accent: tokenizers aligns it with 'e' only.
        #expect(n.originalRange(ofNormalized: 0..<2) == 0..<1)
    }

    @Test func prependAndSlice() {
        var n = NormalizedString("hello")
        n.prepend(" ")
        #expect(n.normalizedString == " hello")
        #expect(n.originalRange(ofNormalized: 0..<1) == 0..<1)
        #expect(n.originalRange(ofNormalized: 1..<3) == 0..<2)
        let slice = n.slice(normalized: 1..<6)!
        #expect(slice.normalizedString == "hello")
        #expect(slice.originalOffsets == 0..<5)
    }

    @Test func splitBehaviors() {
        let n = NormalizedString("the-final--countdown")
        let matches = coverWithMatches(literalMatches(of: Array("-".utf8), in: n.normalized), length: n.normalized.count)
        func pieces(_ b: SplitDelimiterBehavior) -> [String] { n.split(matches, behavior: b).map(\.normalizedString) }
        #expect(pieces(.removed) == ["the", "final", "countdown"])
        #expect(pieces(.isolated) == ["the", "-", "final", "-", "-", "countdown"])
        #expect(pieces(.mergedWithPrevious) == ["the-", "final-", "-", "countdown"])
        #expect(pieces(.mergedWithNext) == ["the", "-final", "-", "-countdown"])
        #expect(pieces(.contiguous) == ["the", "-", "final", "--", "countdown"])
    }

    @Test func byteLevelMappingKeepsCharacterRanges() {
        var n = NormalizedString("é a")
        n.mapBytesToByteLevelCharacters()
        #expect(n.normalizedString == "Ã©Ġa")
        // Both characters of é map back to the whole é.
        #expect(n.originalRange(ofNormalized: 0..<2) == 0..<2)
        #expect(n.originalRange(ofNormalized: 2..<4) == 0..<2)
        #expect(n.originalRange(ofNormalized: 4..<6) == 2..<3)
    }

    @Test func scalarOffsetsAtTheEnd() {
        let converter = ByteToScalarOffsets(Array("aé".utf8))
        #expect(converter.convert(0..<1) == 0..<1)
        #expect(converter.convert(1..<3) == 1..<2)
        #expect(converter.convert(3..<3) == nil)
    }
}
