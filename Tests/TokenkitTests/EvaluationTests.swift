import Foundation
import Testing
import Tokenkit
@testable import TokenkitEvaluation

/// Tiny tokenizers whose every count can be worked out by hand.
enum EvaluationFixtures {
    /// A tiktoken-format byte-level BPE split by `\w+|\s`. Ranks: 0 a, 1 b, 2 c, 3 " ", 4 ab,
    /// 5 abc, 6 x, 7 " x" (unreachable: the split pattern cuts " x" into " " and "x"),
    /// 8 0xC3 and 9 0xA9 (halves of "é", not UTF-8 alone), 10 é; special token 11 <|end|>.
    static func tiktoken() throws -> Tokenizer {
        let pieces: [[UInt8]] = [[0x61], [0x62], [0x63], [0x20], [0x61, 0x62], [0x61, 0x62, 0x63], [0x78], [0x20, 0x78],
                                 [0xC3], [0xA9], [0xC3, 0xA9]]
        let file = pieces.enumerated().map { Data($0.element).base64EncodedString() + " \($0.offset)" }.joined(separator: "\n") + "\n"
        return try Tokenizer.load(Array(file.utf8), format: .tiktoken, name: "tiny.tiktoken", pattern: #"\w+|\s"#,
                                  specialTokens: ["<|end|>": 11])
    }

    /// A WordPiece tokenizer.json: [UNK] 0, a 1, ##b 2, b 3, split on whitespace.
    static func wordPiece() throws -> Tokenizer {
        let json = #"""
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
         "post_processor": null, "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": false},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                   "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "a": 1, "##b": 2, "b": 3}}}
        """#
        return try Tokenizer.load(Array(json.utf8), format: .tokenizerJSON, name: "wp.json")
    }

    /// A BPE tokenizer.json with byte fallback: <unk> 0, a 1, <0x62> 2 (no token for "c").
    static func byteFallback() throws -> Tokenizer {
        let json = #"""
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": null, "post_processor": null,
         "decoder": {"type": "ByteFallback"},
         "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": false,
                   "vocab": {"<unk>": 0, "a": 1, "<0x62>": 2}, "merges": []}}
        """#
        return try Tokenizer.load(Array(json.utf8), format: .tokenizerJSON, name: "bf.json")
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func file(_ name: String, _ text: String, in directory: URL? = nil) throws -> String {
        let dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}

@Suite struct EvaluationTests {
    func evaluation(_ tokenizers: [(String, Tokenizer)], maxLines: Int? = nil) -> TokenizerEvaluation {
        TokenizerEvaluation(tokenizers: tokenizers.map { EvaluatedTokenizer(label: $0.0, source: $0.0, tokenizer: $0.1) },
                            options: EvaluationOptions(threads: 2, maxLines: maxLines, progress: false))
    }

    @Test func corpusMetricsByHand() throws {
        let t = try EvaluationFixtures.tiktoken()
        // "abc ab" → abc, " ", ab = [5, 3, 4]; "cab é" → c ab, " ", é = [2, 4, 3, 10].
        #expect(try t.encodeIDs("abc ab") == [5, 3, 4])
        #expect(try t.encodeIDs("cab é") == [2, 4, 3, 10])
        let path = try EvaluationFixtures.file("tiny.txt", "abc ab\ncab é\n")
        let evaluated = EvaluatedTokenizer(label: "tiny", source: "tiny", tokenizer: t)
        let m = try evaluation([("tiny", t)]).measure(corpus: path, with: evaluated)
        #expect(m.corpus == "tiny")
        #expect(m.lines == 2)
        #expect(m.tokens == 7)
        #expect(m.bytes == 12)
        #expect(m.characters == 11)
        #expect(m.whitespaceWords == 4)
        #expect(m.segmentedWords == 4)
        #expect(m.fertility == 7.0 / 4)
        #expect(m.bytesPerToken == 12.0 / 7)
        #expect(m.charactersPerToken == 11.0 / 7)
        // Alone, "cab" is [c, ab]: the only continued word.
        #expect(m.continuedWords == 1)
        #expect(m.continuedWordRate == 0.25)
        #expect(m.distinctTokens == 5)
        #expect(m.vocabularySize == 12)
        #expect(m.utilisation == 5.0 / 12)
        #expect(m.unknownTokens == 0 && m.byteFallbackTokens == 0)
        #expect(m.roundTripLines == 2)
        // Lengths: abc 3; " " 1 (twice); ab 2 (twice); c 1; é 2.
        #expect(Array(m.tokenLengthHistogram.prefix(4)) == [0, 3, 3, 1])
        #expect(m.tokenBytes == 12)
        // Counts 1, 2, 2, 1, 1 of 7 tokens; |V| = 12.
        let p = [1.0, 2, 2, 1, 1].map { $0 / 7 }
        let h = log(p.map { pow($0, 2.5) }.reduce(0, +)) / (1 - 2.5)
        #expect(abs(m.renyiEfficiency - h / log(12.0)) < 1e-12)
        let shannon = -p.map { $0 * log2($0) }.reduce(0, +)
        #expect(abs(m.entropyBits - shannon) < 1e-12)
    }

    @Test func renyiMatchesTheDirectFormula() {
        let counts = [10, 0, 3, 7, 1, 1]
        let n = 22.0
        for alpha in [0.5, 2.0, 2.5, 3.0] {
            let direct = 1 / (1 - alpha) * log(counts.filter { $0 > 0 }.map { pow(Double($0) / n, alpha) }.reduce(0, +))
            #expect(abs(RenyiEfficiency.entropy(counts: counts, alpha: alpha) - direct) < 1e-12)
            #expect(abs(RenyiEfficiency.efficiency(counts: counts, alpha: alpha, vocabularySize: 50) - direct / log(50.0)) < 1e-12)
        }
        // A uniform distribution over the whole vocabulary is perfectly efficient, for every α.
        #expect(abs(RenyiEfficiency.efficiency(counts: [4, 4, 4, 4], alpha: 2.5, vocabularySize: 4) - 1) < 1e-12)
        // One token only: no entropy.
        #expect(RenyiEfficiency.efficiency(counts: [9], alpha: 2.5, vocabularySize: 4) == 0)
    }

    @Test func unknownAndByteFallbackRates() throws {
        let wp = try EvaluationFixtures.wordPiece()
        #expect(try wp.encodeIDs("ab c") == [1, 2, 0])
        let wpPath = try EvaluationFixtures.file("wp.txt", "ab c")
        let m = try evaluation([("wp", wp)]).measure(corpus: wpPath, with: EvaluatedTokenizer(label: "wp", source: "", tokenizer: wp))
        #expect(m.tokens == 3 && m.unknownTokens == 1 && m.byteFallbackTokens == 0)
        #expect(m.continuedWords == 1)                 // "ab" is a ##b
        #expect(m.roundTripLines == 0)                 // "c" comes back as [UNK]

        let bf = try EvaluationFixtures.byteFallback()
        #expect(try bf.encodeIDs("abc") == [1, 2, 0])
        let bfPath = try EvaluationFixtures.file("bf.txt", "abc\n")
        let b = try evaluation([("bf", bf)]).measure(corpus: bfPath, with: EvaluatedTokenizer(label: "bf", source: "", tokenizer: bf))
        #expect(b.tokens == 3 && b.unknownTokens == 1 && b.byteFallbackTokens == 1)
        #expect(b.unknownRate == 1.0 / 3 && b.byteFallbackRate == 1.0 / 3)
    }

    @Test func wordSegmentation() {
        #expect(WordSegmentation.whitespaceWordCount("  a\u{3000}b\u{1C}c\td  ") == 4)   // Python: 4
        #expect(WordSegmentation.whitespaceWordCount("a\u{200B}b") == 1)                 // U+200B is not whitespace
        #expect(WordSegmentation.whitespaceWords(" ab  c ").map(String.init) == ["ab", "c"])
        #expect(WordSegmentation.segmentedWordCount("Hello, world! 42") == 3)
        #expect(WordSegmentation.segmentedWordCount("東京に行く") == 5)
        #expect(WordSegmentation.segmentedWordCount("ที่นี่") == 2)                        // 6 scalars, 4 of them marks
        #expect(WordSegmentation.segmentedWordCount("naïve café") == 2)
        #expect(WordSegmentation.segmentedWordCount("e\u{301}x") == 1)                   // a mark continues its word
        #expect(WordSegmentation.segmentedWordCount("abc日本") == 3)
    }

    @Test func parityOnTinyAlignedFiles() throws {
        let t = try EvaluationFixtures.tiktoken()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-parity-\(UUID().uuidString)")
        _ = try EvaluationFixtures.file("en.txt", "ab\nabc\n\nab\n", in: dir)
        // Line 2 is empty here and line 3 in en.txt: both are left out.
        _ = try EvaluationFixtures.file("xx.txt", "ab ab\n\nc\na b c\n", in: dir)
        _ = try EvaluationFixtures.file("yy.txt", "ab\nab\nab\n", in: dir)      // not aligned
        let report = try evaluation([("tiny", t)]).parity(directory: dir.path)
        #expect(report.languages == ["en", "xx"])
        let xx = try #require(report.entry(tokenizer: "tiny", language: "xx"))
        #expect(xx.alignedLines == 2)
        #expect(xx.tokens == 3 + 5)
        #expect(xx.referenceTokens == 1 + 1)
        #expect(xx.premium == 4)
        #expect(report.entry(tokenizer: "tiny", language: "en")?.premium == 1)
        #expect(report.entry(tokenizer: "tiny", language: "en")?.alignedLines == 3)
        #expect(report.warnings.count == 1 && report.warnings[0].contains("yy.txt"))
        #expect(report.sortedEntries(for: "tiny").map(\.language) == ["xx", "en"])
        #expect(report.medianPremium(for: "tiny") == 2.5)
        #expect(report.maximumPremium(for: "tiny")?.language == "xx")

        var options = EvaluationOptions(referenceLanguage: "fr", progress: false)
        options.threads = 1
        #expect(throws: EvaluationError.missingReference(directory: dir.path, language: "fr")) {
            try TokenizerEvaluation(tokenizers: [EvaluatedTokenizer(label: "t", source: "", tokenizer: t)], options: options).parity(directory: dir.path)
        }
    }

    @Test func vocabularyHealthFindsUnreachableAndInvalidTokens() throws {
        let t = try EvaluationFixtures.tiktoken()
        let h = VocabularyHealthChecker(threads: 2).check(EvaluatedTokenizer(label: "tiny", source: "", tokenizer: t))
        #expect(h.modelTokens == 11)
        #expect(h.invalidUTF8 == 2)
        #expect(h.invalidUTF8Samples.map(\.id) == [8, 9])
        #expect(h.invalidUTF8Samples.map(\.text) == ["\\xc3", "\\xa9"])
        #expect(h.checked == 9)
        #expect(h.unreachable == 1)
        #expect(h.unreachableSamples == [VocabularyHealth.TokenSample(id: 7, text: " x")])
        // "x" and " x" differ only by the leading space.
        #expect(h.nearDuplicateGroups == 1 && h.tokensInNearDuplicateGroups == 2)
        #expect(h.nearDuplicateSamples.first?.map(\.id) == [6, 7])
        #expect(h.exactDuplicateGroups == 0)
        #expect(h.specialTokens.map(\.content) == ["<|end|>"])
        #expect(h.specialTokens.map(\.id) == [11])
        #expect(h.lengthHistogram[1] == 7 && h.lengthHistogram[2] == 3 && h.lengthHistogram[3] == 1)

        let wp = VocabularyHealthChecker(threads: 1).check(EvaluatedTokenizer(label: "wp", source: "", tokenizer: try EvaluationFixtures.wordPiece()))
        #expect(wp.notChecked == 2)                     // ##b and [UNK]
        #expect(wp.unreachable == 0 && wp.checked == 2)
        // ##b is "b" in text, but a continuation: not a duplicate of the word-initial b.
        #expect(wp.exactDuplicateGroups == 0 && wp.nearDuplicateGroups == 0)

        let bf = VocabularyHealthChecker(threads: 1).check(EvaluatedTokenizer(label: "bf", source: "", tokenizer: try EvaluationFixtures.byteFallback()))
        #expect(bf.byteFallback == 1)
        #expect(bf.checked == 1 && bf.unreachable == 0)  // "a" (<unk> is not checked)
    }

    @Test func overlapIsJaccardOfTokenBytes() throws {
        let a = EvaluatedTokenizer(label: "tiny", source: "", tokenizer: try EvaluationFixtures.tiktoken())
        let b = EvaluatedTokenizer(label: "wp", source: "", tokenizer: try EvaluationFixtures.wordPiece())
        let overlap = VocabularyOverlap([a, b])
        // tiny: 11 distinct byte strings; wp: [UNK], a, b (##b is b too) = 3; shared: a, b.
        #expect(overlap.shared[0][1] == 2)
        #expect(overlap.jaccard[0][1] == 2.0 / 12)
        #expect(overlap.jaccard[1][0] == overlap.jaccard[0][1])
        #expect(overlap.jaccard[0][0] == 1)
    }

    @Test func labelsAreFileNamesAndUnique() {
        #expect(EvaluatedTokenizer.labels(forSources: ["/x/cl100k_base.tiktoken", "/x/mistral-v1.tokenizer.json", "m.model", "cl100k_base"])
                == ["cl100k_base.tiktoken", "mistral-v1", "m", "cl100k_base"])
        #expect(EvaluatedTokenizer.labels(forSources: ["/a/t.json", "/b/t.json"]) == ["t.json", "t.json#2"])
        #expect(EvaluatedTokenizer.labels(forSources: ["a/q.tiktoken", "b/r.gguf"]) == ["q", "r"])
    }

    @Test func unreadableCorpusNamesTheFile() throws {
        let t = try EvaluationFixtures.tiktoken()
        let e = evaluation([("tiny", t)])
        #expect(throws: EvaluationError.self) { try e.run(corpora: ["/nonexistent/corpus.txt"]) }
        do {
            _ = try e.run(corpora: ["/nonexistent/corpus.txt"])
        } catch {
            #expect(error.description.contains("/nonexistent/corpus.txt"))
        }
        #expect(throws: EvaluationError.self) { try e.run(corpora: [NSTemporaryDirectory()]) }   // a directory
        let corpus = try EvaluationFixtures.file("ok.txt", "ab\n")
        #expect(throws: EvaluationError.unreadableCorpus(path: "/nonexistent/parallel", reason: "cannot list the parallel corpus directory")) {
            try e.run(corpora: [corpus], parallelDirectory: "/nonexistent/parallel")
        }
        #expect(throws: EvaluationError.noCorpus) { try e.run(corpora: []) }
    }

    @Test func readerStreamsLinesAcrossBlocks() throws {
        // Lines longer than a block, a "\r" kept, no final newline, invalid UTF-8 replaced.
        let long = String(repeating: "x", count: (1 << 20) + 17)
        var bytes = Array("a\r\n\(long)\n\nlast".utf8)
        bytes.insert(0xFF, at: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-reader-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        let reader = try CorpusReader(path: url.path)
        var lines: [String] = []
        while let line = try reader.nextLine() { lines.append(line) }
        #expect(lines == ["a\u{FFFD}\r", long, "", "last"])
        #expect(reader.invalidUTF8Lines == 1)
        #expect(reader.bytesRead == bytes.count)
    }

    func smallReport() throws -> EvaluationReport {
        let t = try EvaluationFixtures.tiktoken()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-report-\(UUID().uuidString)")
        let corpus = try EvaluationFixtures.file("mixed, \"quoted\".txt", "abc ab\ncab é\n", in: dir)
        let parallel = dir.appendingPathComponent("parallel")
        _ = try EvaluationFixtures.file("en.txt", "ab\nabc\n", in: parallel)
        _ = try EvaluationFixtures.file("xx.txt", "ab ab\nc\n", in: parallel)
        let wp = try EvaluationFixtures.wordPiece()
        return try evaluation([("tiny", t), ("w<p>", wp)]).run(corpora: [corpus], parallelDirectory: parallel.path)
    }

    @Test func jsonIsWellFormedAndComplete() throws {
        let report = try smallReport()
        let root = try JSONDocument(bytes: report.jsonBytes()).root
        #expect(root["tokenizers"].map { Array($0.elements).count } == 2)
        let metrics = Array(try #require(root["metrics"]?.elements))
        #expect(metrics.count == 2)
        #expect(metrics[0]["tokens"]?.int == 7)
        #expect(metrics[0]["corpus"]?.string == "mixed, \"quoted\"")
        #expect(metrics[0]["fertility"]?.double == 1.75)
        #expect(metrics[0]["token_length_histogram"].map { Array($0.elements).count } == CorpusMetrics.histogramBins)
        let parity = Array(try #require(root["parity"]?["entries"]?.elements))
        #expect(parity.count == 4)
        #expect(root["vocabulary"].map { Array($0.elements).count } == 2)
        #expect(root["overlap"]?["jaccard"].map { Array($0.elements).count } == 2)
    }

    @Test func csvRowsHaveTheHeadersColumns() throws {
        let report = try smallReport()
        func fields(_ line: Substring) -> Int {
            // RFC 4180: commas inside quotes do not separate.
            var count = 1, quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == ",", !quoted { count += 1 }
            }
            return count
        }
        for csv in [report.metricsCSV(), report.parityCSV()] {
            #expect(csv.hasSuffix("\r\n"))
            let lines = csv.split(separator: "\r\n")
            let header = fields(lines[0])
            #expect(lines.count > 1)
            for line in lines { #expect(fields(line) == header) }
        }
        let metrics = report.metricsCSV().split(separator: "\r\n")
        #expect(metrics[0].hasPrefix("tokenizer,corpus,lines,bytes,characters,tokens,"))
        #expect(metrics[1].hasPrefix("tiny,\"mixed, \"\"quoted\"\"\",2,12,11,7,"))
    }

    @Test func htmlHasOneSVGPerChartAndNoNetwork() throws {
        let report = try smallReport()
        let html = report.html()
        #expect(report.chartTitles.count == 4)
        #expect(html.components(separatedBy: "<svg").count - 1 == report.chartTitles.count)
        #expect(html.components(separatedBy: "</svg>").count - 1 == report.chartTitles.count)
        for title in report.chartTitles { #expect(html.contains(SVGChart.escape(title))) }
        for fetch in ["<script", "<link", "<img", "src=", "href=", "url(", "@import", "https:"] { #expect(!html.contains(fetch)) }
        #expect(html.contains("w&lt;p&gt;") && !html.contains("w<p>"))     // labels are escaped

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-out-\(UUID().uuidString)")
        try report.write(to: dir.path)
        for name in ["metrics.json", "metrics.csv", "parity.csv", "index.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path))
        }
    }
}

/// `tokenkit eval` end to end: exit codes, messages and the files it writes.
@Suite struct EvaluationCLITests {
    @Test func unreadableCorpusExitsTwoNamingTheFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)").path
        let result = try CLITests().run(["eval", "--encoding", "cl100k_base", "--corpus", "/nonexistent/corpus.txt", "-o", out, "--quiet"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/corpus.txt"))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try CLITests().run(["eval", "--corpus", "/nonexistent/corpus.txt", "-o", out]).status == 2)   // no tokenizer
        #expect(try CLITests().run(["eval", "--encoding", "cl100k_base", "-o", out]).status == 2)              // no corpus
        let missingTokenizer = try CLITests().run(["eval", "--tokenizer", "/nonexistent.json", "--corpus", "/nonexistent/corpus.txt", "-o", out])
        #expect(missingTokenizer.status == 2 && missingTokenizer.stderr.contains("/nonexistent.json"))
    }

    @Test func writesTheReport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)")
        let corpus = try EvaluationFixtures.file("prose.txt", "hello world\nthe same message\n", in: dir)
        let parallel = dir.appendingPathComponent("parallel")
        _ = try EvaluationFixtures.file("en.txt", "hello world\nthe same message\n", in: parallel)
        _ = try EvaluationFixtures.file("de.txt", "hallo Welt\ndieselbe Nachricht\n", in: parallel)
        let out = dir.appendingPathComponent("report").path
        let result = try CLITests().run(["eval", "--encoding", "cl100k_base", "--tokenizer", TestData.fixture("tokenizers/llama-style.tokenizer.json"),
                                         "--corpus", corpus, "--parallel", parallel.path, "-o", out, "--quiet", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        // "hello world" is [15339, 1917] and "the same message" [1820, 1890, 1984]: 5 tokens, 27 bytes.
        // Files first, then built-in encodings.
        #expect(lines.first?.hasPrefix("llama-style, prose ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("cl100k_base, prose \(String(format: "%.3f", 27.0 / 5)) B/tok fertility \(String(format: "%.3f", 5.0 / 5))") == true)
        #expect(lines.last == "report: \(out)/index.html")
        for name in ["metrics.json", "metrics.csv", "parity.csv", "index.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name))
        }
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        #expect(csv.contains("\r\ncl100k_base,prose,2,27,27,5,5,"))
    }
}
