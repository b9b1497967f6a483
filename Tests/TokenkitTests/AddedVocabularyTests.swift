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
