import Testing
@testable import Tokenkit

/// Malformed files give errors that name the file, the field and what was expected.
@Suite struct LoadingErrorTests {
    func loadJSON(_ text: String) throws(TokenizerLoadingError) -> Tokenizer {
        try Tokenizer.load(Array(text.utf8), format: .tokenizerJSON, name: "t.json")
    }

    func error(_ text: String) -> TokenizerLoadingError? {
        do { _ = try loadJSON(text); return nil } catch { return error }
    }

    static let minimal = #"""
    {"version": "1.0", "added_tokens": [], "normalizer": null,
     "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
     "post_processor": null, "decoder": {"type": "ByteLevel"},
     "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]}}
    """#

    @Test func minimalFileLoads() throws {
        let tokenizer = try loadJSON(Self.minimal)
        #expect(try tokenizer.encodeIDs("abba") == [2, 1, 0])
    }

    @Test func truncatedJSON() {
        let e = error(String(Self.minimal.dropLast(30)))
        #expect(e?.kind == .malformed)
        #expect(e?.description.hasPrefix("t.json: line ") == true)
    }

    @Test func missingMerges() {
        let e = error(Self.minimal.replacingOccurrences(of: #", "merges": [["a", "b"]]"#, with: ""))
        #expect(e?.kind == .malformed)
        #expect(e?.description.contains("merges") == true)
    }

    @Test func mergeOfUnknownToken() {
        let e = error(Self.minimal.replacingOccurrences(of: #"[["a", "b"]]"#, with: #"[["a", "z"]]"#))
        #expect(e?.description.contains("field model.merges[0]: token \"z\" is not in the vocabulary") == true)
    }

    @Test func malformedMergeEntries() {
        let cases: [(String, String)] = [
            (#"[["a", "b"], ["b", "a"]]"#, "field model.merges[1]: merged token \"ba\" is not in the vocabulary"),
            (#"["a b c"]"#, "field model.merges[0]: expected a merge \"left right\" with exactly one space"),
            (#"[["a"]]"#, "field model.merges[0]: expected a pair of tokens"),
            (#"[["a", 1]]"#, "field model.merges[0]: expected a pair of tokens"),
            (#"[["a", "b"], 7]"#, "field model.merges[1]: expected a pair of tokens"),
        ]
        for (merges, message) in cases {
            let e = error(Self.minimal.replacingOccurrences(of: #"[["a", "b"]]"#, with: merges))
            #expect(e?.kind == .malformed)
            #expect(e?.description.contains(message) == true, "\(merges): \(e?.description ?? "no error")")
        }
    }

    @Test func badVocabularyValue() {
        let e = error(Self.minimal.replacingOccurrences(of: #""ab": 2"#, with: #""ab": "two""#))
        #expect(e?.kind == .malformed)
        #expect(e?.description.contains("model.vocab") == true)
    }

    @Test func wrongFieldType() {
        let e = error(Self.minimal.replacingOccurrences(of: #""use_regex": true"#, with: #""use_regex": 1"#))
        #expect(e?.description.contains("field pre_tokenizer.use_regex: expected true or false, found number 1") == true)
    }

    @Test func unknownComponentIsMalformed() {
        let e = error(Self.minimal.replacingOccurrences(of: #"{"type": "ByteLevel"}"#, with: #"{"type": "NoSuchDecoder"}"#))
        #expect(e?.kind == .malformed)
    }

    @Test func validButUnimplementedFeatureIsUnsupported() {
        // Oniguruma accepts back-references; Tokenkit's regex engine does not implement them.
        let e = error(Self.minimal.replacingOccurrences(of: #"{"type": "ByteLevel", "add_prefix_space""#,
                                                        with: #"{"type": "Split", "pattern": {"Regex": "(a)\\1"}, "behavior": "Isolated", "invert": false, "x""#))
        #expect(e?.kind == .unsupported)
        #expect(e?.description.contains("back-references") == true)
    }

    @Test func invalidRegex() {
        let e = error(Self.minimal.replacingOccurrences(of: #"{"type": "ByteLevel", "add_prefix_space""#,
                                                        with: #"{"type": "Split", "pattern": {"Regex": "([a-z"}, "behavior": "Isolated", "invert": false, "x""#))
        #expect(e?.kind == .malformed)
        #expect(e?.description.contains("pre_tokenizer.pattern.Regex") == true)
    }

    @Test func badBase64InTiktokenFile() {
        do {
            _ = try Tokenizer.load(Array("YQ== 0\n!!!= 1\n".utf8), format: .tiktoken, name: "bad.tiktoken", pattern: ".")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.description == #"bad.tiktoken: line 2: invalid base64 token "!!!=""#)
        }
    }

    @Test func badRankInTiktokenFile() {
        do {
            _ = try Tokenizer.load(Array("YQ== zero\n".utf8), format: .tiktoken, name: "bad.tiktoken", pattern: ".")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("line 1: expected a rank"))
        }
    }

    /// Tokens are inserted in batches: a duplicate is still reported at its line, and before
    /// any bad line after it in the same batch.
    @Test func duplicatesInTiktokenFilesAreReportedAtTheirLine() {
        let lines = (0..<40).map { "\(Base64.encode(Array("t\($0)".utf8))) \($0)" }
        let cases: [(String, String)] = [
            ((lines + ["dDM= 40"]).joined(separator: "\n"), #"line 41: duplicate token "dDM=""#),
            ((lines + ["dDM= 40", "YQ== 7"]).joined(separator: "\n"), #"line 41: duplicate token "dDM=""#),
            ((Array(lines[0..<3]) + ["dDE= 3", "!!!= 4"]).joined(separator: "\n"), #"line 4: duplicate token "dDE=""#),
            ((Array(lines[0..<3]) + ["YQ== 1"]).joined(separator: "\n"), "line 4: duplicate rank 1"),
        ]
        for (text, message) in cases {
            do {
                _ = try Tokenizer.load(Array(text.utf8), format: .tiktoken, name: "dup.tiktoken", pattern: ".")
                Issue.record("expected an error: \(message)")
            } catch {
                #expect(error.kind == .malformed)
                #expect(error.description == "dup.tiktoken: \(message)")
            }
        }
    }

    @Test func missingFile() {
        do {
            _ = try Tokenizer(contentsOf: "/nonexistent/tokenizer.json")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unreadable)
            #expect(error.description == "/nonexistent/tokenizer.json: no such file")
        }
    }
}
