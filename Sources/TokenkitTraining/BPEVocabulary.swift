import Tokenkit

/// A trained BPE model: token strings by id and the merges in the order they were learned.
public struct BPEVocabulary: Sendable {
    /// UTF-8 of each token; the index is the id.
    public var tokens: [[UInt8]]
    /// Pairs of ids in learning order; a pair can appear twice (see `BPETrainer`).
    public var merges: [(UInt32, UInt32)]
    public var specialTokens: [String]
    public var continuingSubwordPrefix: String?
    public var endOfWordSuffix: String?
    /// Written as the model's `unk_token` (used for characters outside the vocabulary).
    public var unknownToken: String?
    /// The vocabulary has the 256 byte tokens `<0xNN>` and the model spells unknown characters
    /// with them (`byte_fallback`).
    public var byteFallback: Bool = false
    /// The character coverage it was trained with (recorded in a `.model`'s trainer settings).
    public var characterCoverage: Double? = nil
    /// Scaffold-BPE: tokens the merges make but encoding never outputs (each is split back into
    /// the parts it was merged from). They take the last ids, after the vocabulary proper.
    public var scaffoldTokens: [UInt32] = []
    /// Scaffold-BPE: every change of a token's status during training, in order, for research
    /// (which tokens were scaffolds when, and which came back).
    public var scaffoldHistory: [ScaffoldEvent] = []

    /// A token leaving the vocabulary as a scaffold, or coming back into it.
    public struct ScaffoldEvent: Sendable, Equatable {
        /// How many merges had been learned when it happened.
        public var merges: Int
        public var token: UInt32
        /// True when the token became a scaffold, false when it came back.
        public var becameScaffold: Bool

        public init(merges: Int, token: UInt32, becameScaffold: Bool) {
            self.merges = merges
            self.token = token
            self.becameScaffold = becameScaffold
        }
    }

    /// The merges as the trained model applies them: each pair once, at the rank of its last
    /// occurrence (the reference builds a map from pair to rank, so the later rank wins).
    public var mergeRanks: [(UInt32, UInt32)] {
        var last: [UInt64: Int] = [:]
        for (rank, (a, b)) in merges.enumerated() { last[UInt64(a) << 32 | UInt64(b)] = rank }
        return merges.enumerated().filter { last[UInt64($0.element.0) << 32 | UInt64($0.element.1)] == $0.offset }.map(\.element)
    }

    public func token(_ id: UInt32) -> String { String(decoding: tokens[Int(id)], as: UTF8.self) }

    /// Gives `scaffolds` the last ids (in their order), the other tokens keeping theirs in
    /// order, so the vocabulary proper is ids 0..<(count − scaffolds) as an embedding table
    /// expects; the merges follow the new ids.
    mutating func moveScaffoldsLast(_ scaffolds: [UInt32]) {
        guard !scaffolds.isEmpty else { return }
        let isScaffold = Set(scaffolds)
        var newID = [UInt32](repeating: 0, count: tokens.count)
        var order: [Int] = []
        order.reserveCapacity(tokens.count)
        for id in tokens.indices where !isScaffold.contains(UInt32(id)) { order.append(id) }
        order += scaffolds.map { Int($0) }
        for (new, old) in order.enumerated() { newID[old] = UInt32(new) }
        tokens = order.map { tokens[$0] }
        merges = merges.map { (newID[Int($0.0)], newID[Int($0.1)]) }
        scaffoldTokens = scaffolds.map { newID[Int($0)] }
        scaffoldHistory = scaffoldHistory.map { ScaffoldEvent(merges: $0.merges, token: newID[Int($0.token)], becameScaffold: $0.becameScaffold) }
    }

    /// The `model` object of a `tokenizer.json`.
    public func modelJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: tokens.count * 24)
        func optionalString(_ value: String?) {
            if let value { writer.appendString(value) } else { writer.appendNull() }
        }
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("BPE")
        writer.appendKey("dropout"); writer.appendNull()
        writer.appendKey("unk_token"); optionalString(unknownToken)
        writer.appendKey("continuing_subword_prefix"); optionalString(continuingSubwordPrefix)
        writer.appendKey("end_of_word_suffix"); optionalString(endOfWordSuffix)
        writer.appendKey("fuse_unk"); writer.appendBool(false)
        writer.appendKey("byte_fallback"); writer.appendBool(byteFallback)
        writer.appendKey("ignore_merges"); writer.appendBool(false)
        appendVocabulary(&writer)
        writer.appendKey("merges")
        writer.beginArray()
        for (a, b) in mergeRanks {
            writer.beginArray()
            writer.appendString(token(a))
            writer.appendString(token(b))
            writer.endArray()
        }
        writer.endArray()
        if !scaffoldTokens.isEmpty {
            // Tokenkit's extension (`tokenizers` ignores the field, and would output scaffolds).
            writer.appendKey("scaffold_tokens")
            writer.beginArray()
            for id in scaffoldTokens { writer.appendString(token(id)) }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }

    /// The `model` object of a WordPiece `tokenizer.json` with this vocabulary (`tokenizers`'
    /// WordPieceTrainer trains BPE with the `##` prefix and keeps the vocabulary).
    public func wordPieceModelJSON(unknownToken: String, maximumInputCharactersPerWord: Int = 100) -> [UInt8] {
        var writer = JSONWriter(capacity: tokens.count * 16)
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("WordPiece")
        writer.appendKey("unk_token"); writer.appendString(unknownToken)
        writer.appendKey("continuing_subword_prefix"); writer.appendString(continuingSubwordPrefix ?? "##")
        writer.appendKey("max_input_chars_per_word"); writer.appendInt(maximumInputCharactersPerWord)
        appendVocabulary(&writer)
        writer.endObject()
        return writer.bytes
    }

    /// A BERT-style WordPiece `tokenizer.json`: this vocabulary as a WordPiece model, with BERT's
    /// post-processor (`[CLS] A [SEP] B [SEP]`) when `[CLS]` and `[SEP]` are tokens.
    public func wordPieceTokenizerJSON(pipeline: TrainingPipeline, unknownToken: String) -> [UInt8] {
        var postProcessor: String?
        if let cls = id(of: "[CLS]"), let sep = id(of: "[SEP]") {
            postProcessor = #"{"type":"BertProcessing","sep":["[SEP]",\#(sep)],"cls":["[CLS]",\#(cls)]}"#
        }
        return tokenizerJSON(pipeline: pipeline, model: wordPieceModelJSON(unknownToken: unknownToken), postProcessor: postProcessor)
    }

    private func appendVocabulary(_ writer: inout JSONWriter) {
        writer.appendKey("vocab")
        writer.beginObject()
        for (id, token) in tokens.enumerated() {
            writer.appendKey(String(decoding: token, as: UTF8.self))
            writer.appendInt(id)
        }
        writer.endObject()
    }

    /// A tiktoken rank file for a byte-level model: every token but the special ones, as the
    /// base64 of its bytes and its id as rank. tiktoken merges the adjacent pair whose
    /// concatenation has the lowest rank; trained ids grow in merge order, which is what makes
    /// that equal to applying the merges (the tests check it on the fixtures' corpora).
    /// Returns nil when a token is not byte-level, or for Scaffold-BPE (ranks cannot mark scaffolds).
    public func tiktokenRanks() -> [UInt8]? {
        guard scaffoldTokens.isEmpty else { return nil }
        var text = ""
        let specials = Set(specialTokens.map { Array($0.utf8) })
        for (id, token) in tokens.enumerated() where !specials.contains(token) {
            guard let bytes = ByteLevelAlphabet.decode(String(decoding: token, as: UTF8.self)) else { return nil }
            text += Base64.encode(bytes) + " " + String(id) + "\n"
        }
        return Array(text.utf8)
    }

    /// The sidecar of a tiktoken file (`NAME.tiktoken.json`): the split pattern and the special tokens.
    public func tiktokenSidecar(pattern: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.appendKey("pattern"); writer.appendString(pattern)
        writer.appendKey("special_tokens")
        writer.beginObject()
        for token in specialTokens {
            guard let id = id(of: token) else { continue }
            writer.appendKey(token); writer.appendInt(Int(id))
        }
        writer.endObject()
        writer.endObject()
        writer.appendNewline()
        return writer.bytes
    }

    /// A SentencePiece `.model` (type BPE) for a SentencePiece-style vocabulary (trained behind
    /// `TrainingPipeline.metaspace()`), or nil when `unknownToken` is not one of its tokens or
    /// the vocabulary has scaffolds (a `.model` cannot mark them).
    ///
    /// SentencePiece's BPE merges the adjacent pair whose concatenation is the best-scoring
    /// piece, so each merged token scores minus its merge rank (as `spm_train` scores its own BPE
    /// pieces) and the characters score below every merge: that applies the merges in rank order,
    /// as `tokenizers` does. Ids are the `tokenizer.json`'s. The unknown token is the UNKNOWN
    /// piece, the other special tokens CONTROL pieces. Normalization is SentencePiece's nmt_nfkc
    /// with a dummy "▁" prefix and spaces kept. Two differences remain: the prefix is added even
    /// to text that starts with a space, which `Metaspace` (prepend_scheme "always") leaves alone,
    /// and nmt_nfkc also rewrites control characters (such as "\r") that NFKC keeps.
    public func sentencePieceModel(unknownToken: String) -> [UInt8]? {
        guard scaffoldTokens.isEmpty, let unknownID = id(of: unknownToken) else { return nil }
        var rank: [[UInt8]: Int] = [:]
        let ranks = mergeRanks
        for (r, (a, b)) in ranks.enumerated() { rank[tokens[Int(a)] + tokens[Int(b)]] = r }
        let specials = Set(specialTokens.map { Array($0.utf8) })
        let bytePieces = byteFallback ? Set((0...255).map { Array(byteFallbackPieceName(UInt8($0)).utf8) }) : []
        var characterScore = -Float(ranks.count)
        var pieces: [SentencePieceModelFile.Piece] = []
        for (id, token) in tokens.enumerated() {
            let text = String(decoding: token, as: UTF8.self)
            if id == Int(unknownID) {
                pieces.append(.init(piece: text, score: 0, type: .unknown))
            } else if specials.contains(token) {
                pieces.append(.init(piece: text, score: 0, type: .control))
            } else if bytePieces.contains(token) {
                pieces.append(.init(piece: text, score: 0, type: .byte))
            } else if let r = rank[token] {
                pieces.append(.init(piece: text, score: -Float(r), type: .normal))
            } else {
                pieces.append(.init(piece: text, score: characterScore, type: .normal))
                characterScore -= 1
            }
        }
        var trainer = SentencePieceModelFile.TrainerSettings()
        trainer.modelType = .bpe
        trainer.vocabularySize = tokens.count
        trainer.unknownPiece = unknownToken
        trainer.unknownID = Int(unknownID)
        trainer.beginningID = id(of: trainer.beginningPiece).map { Int($0) } ?? -1
        trainer.endID = id(of: trainer.endPiece).map { Int($0) } ?? -1
        trainer.byteFallback = byteFallback
        if let characterCoverage { trainer.characterCoverage = Float(characterCoverage) }
        trainer.controlSymbols = specialTokens.filter { $0 != unknownToken && $0 != trainer.beginningPiece && $0 != trainer.endPiece }
        var normalizer = SentencePieceModelFile.NormalizerSettings()
        normalizer.precompiledCharsMap = UnigramTrainer.nmtNFKCCharsMap
        normalizer.removeExtraWhitespaces = false
        return SentencePieceModelFile(pieces: pieces, trainer: trainer, normalizer: normalizer).serializedModel()
    }

    /// The id of a token given as text.
    public func id(of token: String) -> UInt32? {
        tokens.firstIndex(of: Array(token.utf8)).map { UInt32($0) }
    }

    /// A complete `tokenizer.json` with `pipeline` around this model (BPE unless `model` is
    /// given); special tokens are added tokens.
    public func tokenizerJSON(pipeline: TrainingPipeline, model: [UInt8]? = nil, postProcessor: String? = nil) -> [UInt8] {
        let added = specialTokens.compactMap { content in id(of: content).map { (id: $0, content: content) } }
        return pipeline.tokenizerJSON(model: model ?? modelJSON(), addedTokens: added, postProcessor: postProcessor)
    }
}
