import Foundation
@testable import Tokenkit

/// Locations of test data.
enum TestData {
    /// The repository root (…/Tests/TokenkitTests/TestSupport.swift → three levels up).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = repositoryRoot.appendingPathComponent("Tests/TokenkitTests/Fixtures")

    /// `../shared` next to the repository, when it exists (tests that need it skip otherwise).
    static var shared: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizers").path) ? url : nil
    }

    static func fixture(_ relativePath: String) -> String {
        fixtures.appendingPathComponent(relativePath).path
    }
}

/// A reference case as written by scripts/generate_fixtures.py and shared/conformance.
struct ReferenceCase {
    var line: Int
    var text: String
    var pair: String?
    var addSpecialTokens: Bool?
    var allowedSpecial: Tokenizer.SpecialTokenSet?
    var disallowedSpecial: Tokenizer.SpecialTokenSet?
    var ids: [TokenID]
    var tokens: [String]?
    var offsets: [[Int]]?
    var typeIDs: [UInt32]?
    var decoded: String?
    var decodedSkippingSpecial: String?
    var attentionMask: [UInt8]?
    var specialTokensMask: [UInt8]?
    var wordIDs: [UInt32?]?
    var overflowing: [[TokenID]]?
    /// The reference refused this input (e.g. `only_second` truncation without a pair).
    var error: String?

    static func load(_ path: String) throws -> [ReferenceCase] {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        var cases: [ReferenceCase] = []
        var start = 0
        var lineNumber = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            defer { start = i + 1 }
            guard i > start else { continue }
            lineNumber += 1
            let root = try JSONDocument(bytes: Array(bytes[start..<i])).root
            func set(_ key: String) -> Tokenizer.SpecialTokenSet? {
                guard let v = root[key], !v.isNull else { return nil }
                if v.stringEquals("all") { return .all }
                let names = Set(v.elements.compactMap(\.string))
                return names.isEmpty ? Tokenizer.SpecialTokenSet.none : .only(names)
            }
            cases.append(ReferenceCase(
                line: lineNumber,
                text: root["text"]!.string!,
                pair: root["pair"]?.string,
                addSpecialTokens: root["add_special_tokens"]?.bool,
                allowedSpecial: set("allowed_special"),
                disallowedSpecial: set("disallowed_special"),
                ids: root["ids"].map { $0.elements.map { TokenID($0.int!) } } ?? [],
                tokens: (root["tokens"] ?? root["pieces"]).map { $0.elements.map { $0.string! } },
                offsets: root["offsets"].map { $0.elements.map { $0.elements.map { $0.int! } } },
                typeIDs: root["type_ids"].map { $0.elements.map { UInt32($0.int!) } },
                decoded: root["decoded"]?.string,
                decodedSkippingSpecial: root["decoded_skipping_special"]?.string,
                attentionMask: root["attention_mask"].map { $0.elements.map { UInt8($0.int!) } },
                specialTokensMask: root["special_tokens_mask"].map { $0.elements.map { UInt8($0.int!) } },
                wordIDs: root["word_ids"].map { $0.elements.map { $0.int.map(UInt32.init) } },
                overflowing: root["overflowing"].map { $0.elements.map { $0.elements.map { TokenID($0.int!) } } },
                error: root["error"]?.string))
        }
        return cases
    }
}

/// Compares a tokenizer with reference cases; returns a description of each mismatch.
func mismatches(of tokenizer: Tokenizer, against cases: [ReferenceCase], limit: Int = 10) -> [String] {
    var problems: [String] = []
    for c in cases {
        if problems.count >= limit { break }
        let allowed = c.allowedSpecial ?? (tokenizer.format == .tiktoken ? .none : .all)
        let disallowed = c.disallowedSpecial ?? .all
        if let error = c.error {
            if (try? tokenizer.encode(c.text, pair: c.pair, addSpecialTokens: c.addSpecialTokens ?? true)) != nil {
                problems.append("line \(c.line): expected an error (\(error)), got an encoding")
            }
            continue
        }
        do {
            let encoding = try tokenizer.encode(c.text, pair: c.pair, addSpecialTokens: c.addSpecialTokens ?? true,
                                                allowedSpecial: allowed, disallowedSpecial: disallowed)
            if encoding.ids != c.ids {
                problems.append("line \(c.line) ids \(c.text.debugDescription): expected \(c.ids), got \(encoding.ids)")
                continue
            }
            if c.pair == nil {
                let fast = try tokenizer.encodeIDs(c.text, addSpecialTokens: c.addSpecialTokens ?? true,
                                                   allowedSpecial: allowed, disallowedSpecial: disallowed)
                if fast != c.ids {
                    problems.append("line \(c.line) fast ids \(c.text.debugDescription): expected \(c.ids), got \(fast)")
                    continue
                }
            }
            if let tokens = c.tokens, encoding.tokens != tokens {
                problems.append("line \(c.line) tokens \(c.text.debugDescription): expected \(tokens), got \(encoding.tokens)")
                continue
            }
            if let offsets = c.offsets {
                let got = encoding.offsets.map { [$0.lowerBound, $0.upperBound] }
                if got != offsets {
                    problems.append("line \(c.line) offsets \(c.text.debugDescription): expected \(offsets), got \(got)")
                    continue
                }
            }
            if let typeIDs = c.typeIDs, encoding.typeIDs != typeIDs {
                problems.append("line \(c.line) type_ids: expected \(typeIDs), got \(encoding.typeIDs)")
                continue
            }
            if let mask = c.attentionMask, encoding.attentionMask != mask {
                problems.append("line \(c.line) attention_mask: expected \(mask), got \(encoding.attentionMask)")
                continue
            }
            if let mask = c.specialTokensMask, encoding.specialTokensMask != mask {
                problems.append("line \(c.line) special_tokens_mask: expected \(mask), got \(encoding.specialTokensMask)")
                continue
            }
            if let words = c.wordIDs, encoding.wordIDs != words {
                problems.append("line \(c.line) word_ids: expected \(words), got \(encoding.wordIDs)")
                continue
            }
            if let overflowing = c.overflowing, encoding.overflowing.map(\.ids) != overflowing {
                problems.append("line \(c.line) overflowing: expected \(overflowing), got \(encoding.overflowing.map(\.ids))")
                continue
            }
            if let decoded = c.decodedSkippingSpecial {
                let got = try tokenizer.decode(c.ids, skipSpecialTokens: true)
                if got != decoded {
                    problems.append("line \(c.line) decoded (skipping special) \(c.ids): expected \(decoded.debugDescription), got \(got.debugDescription)")
                }
            }
            if let decoded = c.decoded {
                let got = try tokenizer.decode(c.ids, skipSpecialTokens: false)
                if got != decoded {
                    problems.append("line \(c.line) decoded \(c.ids): expected \(decoded.debugDescription), got \(got.debugDescription)")
                }
            }
        } catch {
            problems.append("line \(c.line) \(c.text.debugDescription): error \(error)")
        }
    }
    return problems
}
