import Foundation
import Tokenkit

// Performance notes (24 MB mixed corpus, vocabulary 32,000): SentencePiece keeps every sentence
// and builds its suffix array over the whole corpus (five Int32 arrays of 24 M characters: the
// text, SA, L, R, D). Here sentences are normalized as they are read and only distinct
// (word, follower) entries are kept; the suffix array is built over those, each occurrence
// weighted by its count, which yields exactly the substrings and counts of the whole corpus
// (see `UnigramCorpus`): on that corpus 6.3 M symbols instead of 24 M, and a 216 MB peak instead
// of SentencePiece's 456 MB. EM and pruning walk the distinct words in SentencePiece's order; the
// lattices of a batch of words are computed on `threads` threads and their contributions added in
// word order, so results do not depend on the thread count. Most of the time goes to building
// lattices (the trie walk) and to the exp/log of forward-backward.

/// Trains a Unigram language model the way SentencePiece's `spm_train --model_type=unigram` does
/// (`unigram_model_trainer.cc`, `trainer_interface.cc`), with its defaults:
///
/// 1. sentences are normalized (nmt_nfkc) and cut into words at "▁" (`UnigramCorpus`);
/// 2. the characters covering `characterCoverage` of the text are kept, the rarer ones become
///    an unknown mark that no piece contains;
/// 3. the seed vocabulary is every character plus the `seedSentencePieceSize` substrings with the
///    highest frequency × length among those occurring at least twice with different right
///    contexts (suffix-tree internal nodes), that are valid pieces (at most `maximumPieceLength`
///    characters, "▁" only in front, one Unicode script, digits apart with `splitByNumber`);
/// 4. EM: `subIterations` rounds of expected counts (forward-backward over every word's lattice)
///    and of the Bayesian M step (digamma of the expected counts, pieces expected fewer than 0.5
///    times dropped), then pruning by the loss in likelihood each piece's removal would cause
///    (keeping `shrinkingFactor` of them), until `vocabularySize` × 1.1 pieces remain;
/// 5. the final vocabulary: every kept character, then the best-scoring pieces, special pieces
///    (unknown, begin, end, control, user-defined, bytes) at the first ids.
///
/// Arithmetic is single precision where SentencePiece's is, with its rounding, its orders of
/// summation and its tie-breaking, so the decisions are the same (with SentencePiece 0.2.0's
/// rules and script table, the 32,000 pieces and scores it trains on 24 MB are identical). Its
/// quirks are kept: unknown characters' lattice nodes count for piece 0 (its trainer model never
/// sets an unknown id), pruning stops only when the kept count equals the target. Known
/// differences: scripts come from Unicode 16 (SentencePiece's table is older); the second-best
/// segmentation pruning compares is computed by Viterbi without the whole-piece node rather than
/// by A* (they can differ only between paths of exactly equal score); the sums are those of one
/// SentencePiece thread whatever `threads` is; with `splitByWhitespace` off, identical sentences
/// are merged (SentencePiece keeps them apart, which changes only the order of its sums); a
/// padding piece takes the id after the others rather than one given.
public struct UnigramTrainer: Sendable {
    public var vocabularySize: Int
    /// The fraction of the corpus' characters the kept characters must cover (0.98 to 1).
    public var characterCoverage: Double
    /// The longest piece, in characters.
    public var maximumPieceLength: Int
    public var seedSentencePieceSize: Int
    public var shrinkingFactor: Double
    /// EM rounds between two prunings.
    public var subIterations: Int
    /// Longer sentences (in UTF-8 bytes) are skipped, as SentencePiece skips them.
    public var maximumSentenceLength: Int
    /// Pieces never span "▁" (they may start with one).
    public var splitByWhitespace: Bool
    /// Pieces never mix scripts (Hiragana and Katakana count as Han).
    public var splitByUnicodeScript: Bool
    /// Digits never join other characters.
    public var splitByNumber: Bool
    /// Every digit is its own piece.
    public var splitDigits: Bool
    /// Characters always in the vocabulary, whatever their frequency.
    public var requiredCharacters: String
    /// The unknown piece (id `unknownID`), and the begin/end/padding pieces (nil: none).
    public var unknownPiece: String
    public var beginningPiece: String?
    public var endPiece: String?
    public var paddingPiece: String?
    /// Control pieces (never produced from text) and user-defined pieces (always one piece).
    public var controlSymbols: [String]
    public var userDefinedSymbols: [String]
    /// Adds the 256 pieces `<0x00>`…`<0xFF>`: unknown characters become their UTF-8 bytes.
    public var byteFallback: Bool
    /// SentencePiece's nmt_nfkc normalization (true) or none.
    public var normalizesNFKC: Bool
    /// Worker threads for EM (0: one per core). The result does not depend on it.
    public var threads: Int

    public init(vocabularySize: Int = 8000, characterCoverage: Double = 0.9995, maximumPieceLength: Int = 16,
                seedSentencePieceSize: Int = 1_000_000, shrinkingFactor: Double = 0.75, subIterations: Int = 2,
                maximumSentenceLength: Int = 4192, splitByWhitespace: Bool = true, splitByUnicodeScript: Bool = true,
                splitByNumber: Bool = true, splitDigits: Bool = false, requiredCharacters: String = "",
                unknownPiece: String = "<unk>", beginningPiece: String? = "<s>", endPiece: String? = "</s>",
                paddingPiece: String? = nil, controlSymbols: [String] = [], userDefinedSymbols: [String] = [],
                byteFallback: Bool = false, normalizesNFKC: Bool = true, threads: Int = 0) {
        self.vocabularySize = vocabularySize
        self.characterCoverage = characterCoverage
        self.maximumPieceLength = maximumPieceLength
        self.seedSentencePieceSize = seedSentencePieceSize
        self.shrinkingFactor = shrinkingFactor
        self.subIterations = subIterations
        self.maximumSentenceLength = maximumSentenceLength
        self.splitByWhitespace = splitByWhitespace
        self.splitByUnicodeScript = splitByUnicodeScript
        self.splitByNumber = splitByNumber
        self.splitDigits = splitDigits
        self.requiredCharacters = requiredCharacters
        self.unknownPiece = unknownPiece
        self.beginningPiece = beginningPiece
        self.endPiece = endPiece
        self.paddingPiece = paddingPiece
        self.controlSymbols = controlSymbols
        self.userDefinedSymbols = userDefinedSymbols
        self.byteFallback = byteFallback
        self.normalizesNFKC = normalizesNFKC
        self.threads = threads
    }

    /// SentencePiece's compiled nmt_nfkc rules (`precompiled_charsmap`).
    public static let nmtNFKCCharsMap: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "nmt_nfkc", withExtension: "charsmap"),
              let data = FileManager.default.contents(atPath: url.path) else {
            fatalError("resource nmt_nfkc.charsmap is missing from the TokenkitTraining bundle")
        }
        return [UInt8](data)
    }()

    var charsMapBlob: [UInt8] { normalizesNFKC ? Self.nmtNFKCCharsMap : [] }

    /// The normalizer sentences go through, as written into the trained model.
    var normalizer: SentencePieceNormalizer {
        let blob = charsMapBlob
        let charsMap = blob.isEmpty ? nil : try? SentencePieceCharsMap(blob: blob, dialect: .sentencePiece)
        return SentencePieceNormalizer(charsMap: charsMap)
    }

    /// Special pieces by id (`InitMetaPieces`): unknown, begin, end and padding at ids 0, 1, 2
    /// (padding after them), then control and user-defined symbols and the byte pieces at the
    /// first free ids.
    func metaPieces() -> [(id: Int, piece: String, type: SentencePieceModel.PieceType)] {
        var result: [(id: Int, piece: String, type: SentencePieceModel.PieceType)] = [(0, unknownPiece, .unknown)]
        for piece in [beginningPiece, endPiece, paddingPiece] {
            if let piece { result.append((result.count, piece, .control)) }
        }
        var next = result.count
        for symbol in controlSymbols where !result.contains(where: { $0.piece == symbol }) {
            result.append((next, symbol, .control))
            next += 1
        }
        for symbol in userDefinedSymbols {
            if let index = result.firstIndex(where: { $0.piece == symbol }) {
                if result[index].type == .control && index > 0 { result[index].type = .userDefined }
                continue
            }
            result.append((next, symbol, .userDefined))
            next += 1
        }
        if byteFallback {
            for byte in 0..<256 {
                result.append((next, byteFallbackPieceName(UInt8(byte)), .byte))
                next += 1
            }
        }
        return result
    }

    /// Why training cannot run or finish.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Checks the settings as SentencePiece's `VerifySpec` and `InitMetaPieces` do.
    public func validate() throws(Failure) {
        func fail(_ message: String) -> Failure { Failure(description: message) }
        guard vocabularySize > 0 else { throw fail("the vocabulary size must be positive") }
        guard characterCoverage >= 0.98 && characterCoverage <= 1 else {
            throw fail("character coverage must be between 0.98 and 1 (got \(characterCoverage))")
        }
        guard (1...255).contains(maximumPieceLength) else { throw fail("the maximum piece length must be between 1 and 255") }
        guard (1...10).contains(subIterations) else { throw fail("sub-iterations must be between 1 and 10") }
        guard shrinkingFactor >= 0.5 && shrinkingFactor <= 0.95 else { throw fail("the shrinking factor must be between 0.5 and 0.95") }
        guard seedSentencePieceSize > 0 else { throw fail("the seed size must be positive") }
        guard !unknownPiece.isEmpty else { throw fail("the unknown piece must not be empty") }
        var seen = Set<String>()
        for symbol in [unknownPiece] + [beginningPiece, endPiece, paddingPiece].compactMap({ $0 }) {
            guard !symbol.isEmpty else { throw fail("special pieces must not be empty") }
            guard seen.insert(symbol).inserted else { throw fail("\(symbol) is defined twice") }
        }
        var symbols = Set<String>()
        for symbol in controlSymbols + userDefinedSymbols {
            guard !symbol.isEmpty else { throw fail("special pieces must not be empty") }
            guard symbol != unknownPiece else { throw fail("\(unknownPiece) must not be a control or user-defined symbol") }
            guard symbols.insert(symbol).inserted else { throw fail("\(symbol) is defined twice (duplicated symbols are not allowed)") }
        }
        guard metaPieces().count < vocabularySize else {
            throw fail("the vocabulary size \(vocabularySize) leaves no room after the \(metaPieces().count) special pieces")
        }
    }
}

/// The byte-fallback piece of a byte: `<0x0A>`.
func byteFallbackPieceName(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "<0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)]) + ">"
}
