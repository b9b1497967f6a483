/// A complete tokenizer: normalizer → pre-tokenizer → model → post-processor,
/// plus added tokens, truncation, padding and a decoder.
///
/// Load one with `Tokenizer(contentsOf:)` (tokenizer.json, .tiktoken) or
/// `Tokenizer.encoding(named:)` for a built-in OpenAI encoding. Instances are
/// immutable and safe to share between threads.
public final class Tokenizer: Sendable {
    /// Which reference library's semantics the tokenizer follows.
    public enum Format: Sendable, Equatable {
        /// Hugging Face `tokenizers` (`tokenizer.json`).
        case huggingFace
        /// tiktoken (`.tiktoken` rank files): special tokens are refused unless allowed.
        case tiktoken
        /// SentencePiece (`.model` files): decoding follows `sentencepiece`, an unknown id is an error.
        case sentencePiece
        /// GGUF (`tokenizer.ggml.*` metadata of llama.cpp model files): ids, special-token
        /// matching and decoding follow the Hugging Face tokenizer the vocabulary was converted
        /// from, so encoding and decoding behave as for `huggingFace`.
        case gguf
    }

    public let format: Format
    public let normalizer: NormalizerComponent?
    public let preTokenizer: PreTokenizerComponent?
    public let model: ModelComponent
    public let postProcessor: PostProcessorComponent?
    public let decoder: DecoderComponent?
    public let addedVocabulary: AddedVocabulary
    public let truncation: TruncationParameters?
    public let padding: PaddingParameters?
    /// The fast id-only encoder, when the pipeline allows one (see `FastEncoder`).
    let fastEncoder: FastEncoder?
    /// The fast decoder of byte-level BPE tokenizers (see `FastDecoder`).
    let fastDecoder: FastDecoder?
    /// The ids of the added vocabulary, built once (tiktoken's special-token checks use it per call).
    private let specialIDs: Set<TokenID>
    /// The segmenter that replaces the model's own algorithm (see `with(inference:)`); nil for
    /// the model's algorithm, the default.
    let segmenter: InferenceSegmenter?
    /// With a segmenter on a byte-level BPE pipeline: the fast pre-tokenizer that feeds it raw
    /// pieces for `encodeIDs` (a separate instance; the merges' fast path is `fastEncoder`).
    let segmentedPieces: FastEncoder?
    /// `encodeIDs`' fast route, decided once rather than per call: the fast encoder when neither
    /// truncation nor padding applies.
    private let idsEncoder: FastEncoder?
    /// The post-processor's layout of a single sequence with special tokens (see
    /// `singleTemplate`), built once: a template processor's is a few arrays.
    private let specialTokensLayout: [[TokenID]?]?

    init(format: Format, normalizer: NormalizerComponent?, preTokenizer: PreTokenizerComponent?,
         model: ModelComponent, postProcessor: PostProcessorComponent?, decoder: DecoderComponent?,
         addedVocabulary: AddedVocabulary, truncation: TruncationParameters?, padding: PaddingParameters?,
         segmenter: InferenceSegmenter? = nil, reusingFastPathsOf original: Tokenizer? = nil) {
        self.format = format
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.addedVocabulary = addedVocabulary
        self.truncation = truncation
        self.padding = padding
        // The fast path is the model's own merges: another inference method goes through the
        // general path, one piece at a time.
        self.segmenter = segmenter
        if let original {
            // The same pipeline (a copy with other truncation or padding): its fast paths, caches
            // and all, instead of building them again.
            self.fastEncoder = original.fastEncoder
            self.segmentedPieces = original.segmentedPieces
            self.fastDecoder = original.fastDecoder
        } else {
            self.fastEncoder = segmenter == nil ? FastEncoder(normalizer: normalizer, preTokenizer: preTokenizer, model: model) : nil
            self.segmentedPieces = segmenter?.byteLevel == true ? FastEncoder(normalizer: normalizer, preTokenizer: preTokenizer, model: model) : nil
            self.fastDecoder = FastDecoder(format: format, model: model, decoder: decoder, addedVocabulary: addedVocabulary)
        }
        self.specialIDs = Set(addedVocabulary.tokens.keys)
        self.idsEncoder = truncation == nil && padding == nil ? fastEncoder : nil
        self.specialTokensLayout = postProcessor.map { $0.singleSequenceLayout } ?? []
    }

    /// Returns a copy with other truncation and padding settings.
    public func with(truncation: TruncationParameters?, padding: PaddingParameters?) -> Tokenizer {
        Tokenizer(format: format, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                  postProcessor: postProcessor, decoder: decoder, addedVocabulary: addedVocabulary,
                  truncation: truncation, padding: padding, segmenter: segmenter, reusingFastPathsOf: self)
    }

    // MARK: - Vocabulary

    /// The size of the vocabulary, with or without added tokens (as `tokenizers`' `get_vocab_size`).
    public func vocabularySize(includingAddedTokens: Bool = true) -> Int {
        guard includingAddedTokens else { return model.vocabularySize }
        var extra = 0
        for (id, token) in addedVocabulary.tokens where model.id(forToken: token.content) == nil {
            _ = id
            extra += 1
        }
        return model.vocabularySize + extra
    }

    public func id(forToken token: String) -> TokenID? {
        addedVocabulary.id(forContent: token) ?? model.id(forToken: token)
    }

    public func token(forID id: TokenID) -> String? {
        addedVocabulary.decodingString(forID: id) ?? model.token(forID: id)
    }

    // MARK: - Special tokens (tiktoken semantics)

    /// Which special tokens an encode call recognises (tiktoken's `allowed_special` and
    /// `disallowed_special`). `tokenizer.json` tokenizers always recognise their added tokens.
    public enum SpecialTokenSet: Sendable, Equatable {
        case all
        case none
        case only(Set<String>)
    }

    private func matchPolicy(allowed: SpecialTokenSet, disallowed: SpecialTokenSet, text: String) throws(TokenizationError) -> AddedVocabulary.MatchPolicy {
        guard format == .tiktoken else { return AddedVocabulary.MatchPolicy() }
        let allowedIDs: Set<TokenID>
        switch allowed {
        case .all: allowedIDs = specialIDs
        case .none: allowedIDs = []
        case let .only(names): allowedIDs = Set(names.compactMap { addedVocabulary.id(forContent: $0) })
        }
        let disallowedIDs: Set<TokenID>
        switch disallowed {
        case .all: disallowedIDs = allowedIDs.isEmpty ? specialIDs : specialIDs.subtracting(allowedIDs)
        case .none: disallowedIDs = []
        case let .only(names): disallowedIDs = Set(names.compactMap { addedVocabulary.id(forContent: $0) })
        }
        if !disallowedIDs.isEmpty, let found = addedVocabulary.firstOccurrence(in: Array(text.utf8), among: disallowedIDs) {
            throw .disallowedSpecialToken(found)
        }
        return AddedVocabulary.MatchPolicy(ignoreSpecialTokens: false, allowedIDs: allowedIDs)
    }

    // MARK: - Encoding

    /// Encodes one text, or a pair of texts, into an `Encoding` with ids, tokens, offsets
    /// (in Unicode scalars), type ids and masks, exactly as the reference library does.
    ///
    /// - Parameters:
    ///   - addSpecialTokens: let the post-processor add its special tokens (`tokenizers`' default: true).
    ///   - allowedSpecial, disallowedSpecial: tiktoken's special-token rules (ignored for tokenizer.json).
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                       allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all) throws(TokenizationError) -> Encoding {
        let first = try encodeSequence(text, typeID: 0, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        let second = try pair.map { text throws(TokenizationError) in
            try encodeSequence(text, typeID: 1, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        }
        return try postProcess(first, second, addSpecialTokens: addSpecialTokens)
    }

    /// Encodes to ids only. Uses the fast path when the tokenizer allows it; the result is
    /// always identical to `encode(...).ids`.
    public func encodeIDs(_ text: String, addSpecialTokens: Bool = true,
                          allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all) throws(TokenizationError) -> [TokenID] {
        if let fastEncoder = idsEncoder, let template = singleTemplate(addSpecialTokens: addSpecialTokens) {
            let policy = try matchPolicy(allowed: allowedSpecial, disallowed: disallowedSpecial, text: text)
            let ids = addedVocabulary.isEmpty || policy.allowedIDs?.isEmpty == true
                ? fastEncoder.encode(text)
                : fastEncoder.encode(text, splittingAddedTokensOf: addedVocabulary, policy: policy)
            if let ids { return Self.applying(template, to: ids) }
        }
        if let segmenter, let segmentedPieces, truncation == nil, padding == nil, let template = singleTemplate(addSpecialTokens: addSpecialTokens) {
            let policy = try matchPolicy(allowed: allowedSpecial, disallowed: disallowedSpecial, text: text)
            if let ids = segmenter.encodeIDs(text, pieces: segmentedPieces, added: addedVocabulary, policy: policy) {
                return Self.applying(template, to: ids)
            }
        }
        if case let .sentencePiece(m) = model, case let .sentencePiece(n)? = normalizer, preTokenizer == nil, postProcessor == nil,
           addedVocabulary.isEmpty, truncation == nil, padding == nil, segmenter == nil {
            return m.encodeIDs(normalized: n.normalizedBytes(text))
        }
        return try encode(text, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial).ids
    }

    /// Benchmark support: the number of pre-tokenized pieces of `text` on the fast path
    /// (nil when the tokenizer has no fast path).
    public func benchmarkPreTokenization(_ text: String) -> Int? {
        fastEncoder?.countPieces(text)
    }

    /// The words a trainer counts in `text`: the normalized text of each pre-tokenized piece, as
    /// `tokenizers`' trainers see them (added tokens are not cut out first).
    public func preTokenizedWords(_ text: String) -> [[UInt8]] {
        var pre = PreTokenizedString(text)
        pre.normalize { normalizer?.normalize(&$0) }
        preTokenizer?.preTokenize(&pre)
        return pre.splits.map(\.normalized.normalized)
    }

    /// Whether `countWords` records the raw bytes of each piece, before the byte-level mapping
    /// (byte-level BPE tokenizers, whose pieces come from the fast scanners), rather than the
    /// normalized pieces `preTokenizedWords` returns. Mapping the raw bytes with the byte-level
    /// alphabet gives those pieces.
    public var countsWordsAsRawBytes: Bool { fastEncoder != nil }

    /// Counts the words of `text` as trainers see them (see `preTokenizedWords` and
    /// `countsWordsAsRawBytes`), without allocating per word on the fast path.
    public func countWords(in text: String, into counter: inout ByteStringCounter) {
        if let fastEncoder {
            fastEncoder.forEachPiece(of: text) { counter.add($0) }
            return
        }
        for word in preTokenizedWords(text) where !word.isEmpty {
            word.withUnsafeBufferPointer { counter.add($0) }
        }
    }

    /// Calls `body` with a function that counts the words of a text into `counter` as
    /// `countWords(in:into:)` does, holding one worker's scratch buffers for all the texts:
    /// threads counting in parallel then do not meet on the buffer pool for every line.
    public func countingWords<R>(into counter: inout ByteStringCounter, _ body: (_ countWords: (String) -> Void) throws -> R) rethrows -> R {
        guard let fastEncoder else { return try body { text in countWords(in: text, into: &counter) } }
        return try fastEncoder.caches.withCache { cache in
            try body { text in fastEncoder.forEachPiece(of: text, cache: &cache) { counter.add($0) } }
        }
    }

    /// Encodes ordinary text, treating special-token text as plain text (tiktoken's `encode_ordinary`).
    public func encodeOrdinary(_ text: String) -> [TokenID] {
        if let fastEncoder, let ids = fastEncoder.encode(text) { return ids }
        var pre = PreTokenizedString(text)
        pre.normalize { normalizer?.normalize(&$0) }
        preTokenizer?.preTokenize(&pre)
        var ids: [TokenID] = []
        for split in pre.splits {
            if let tokens = try? tokenizePiece(split.normalized.normalized) { ids += tokens.map(\.id) }
        }
        return ids
    }

    /// The ids of one sequence inside a post-processing template (nil entries stand for the ids).
    private static func applying(_ template: [[TokenID]?], to ids: [TokenID]) -> [TokenID] {
        // (A layout of the sequence alone, as the byte-level post-processor's, is the ids as they are.)
        if template.isEmpty || template.count == 1 && template[0] == nil { return ids }
        var result: [TokenID] = []
        result.reserveCapacity(ids.count + template.count)
        for piece in template {
            if let piece { result += piece } else { result += ids }
        }
        return result
    }

    /// The post-processing of a single sequence as a list of pieces (see `PostProcessorComponent.singleSequenceLayout`).
    private func singleTemplate(addSpecialTokens: Bool) -> [[TokenID]?]? {
        addSpecialTokens ? specialTokensLayout : []
    }

    /// Encodes many inputs, in parallel over `threads` threads (0: one per core).
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, threads: Int = 0,
                            allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all) throws(TokenizationError) -> [Encoding] {
        var results = try ParallelMap.map(texts, threads: threads) { text throws(TokenizationError) in
            try encodeUnpadded(text, pair: nil, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        }
        if let padding { padding.pad(&results) }
        return results
    }

    /// Encodes many texts to ids, in parallel over `threads` threads (0: one per core).
    public func encodeBatchIDs(_ texts: [String], addSpecialTokens: Bool = true, threads: Int = 0,
                               allowedSpecial: SpecialTokenSet = .none, disallowedSpecial: SpecialTokenSet = .all) throws(TokenizationError) -> [[TokenID]] {
        try ParallelMap.map(texts, threads: threads) { text throws(TokenizationError) in
            try encodeIDs(text, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        }
    }

    private func encodeUnpadded(_ text: String, pair: String?, addSpecialTokens: Bool,
                                allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet) throws(TokenizationError) -> Encoding {
        let first = try encodeSequence(text, typeID: 0, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        let second = try pair.map { text throws(TokenizationError) in
            try encodeSequence(text, typeID: 1, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial)
        }
        return try postProcess(first, second, addSpecialTokens: addSpecialTokens, applyPadding: false)
    }

    /// Normalizes, pre-tokenizes and tokenizes one sequence (tokenizers' `encode_single_sequence`),
    /// each piece by `tokenizePiece` (the model step, or another one: see `SamplingTokenizer`).
    private func encodeSequence(_ text: String, typeID: UInt32, allowedSpecial: SpecialTokenSet, disallowedSpecial: SpecialTokenSet,
                                tokenizePiece: ([UInt8]) throws(TokenizationError) -> [Token]) throws(TokenizationError) -> Encoding {
        let policy = try matchPolicy(allowed: allowedSpecial, disallowed: disallowedSpecial, text: text)
        var pre = addedVocabulary.extractAndNormalize(text, normalizer: normalizer, policy: policy)
        preTokenizer?.preTokenize(&pre)
        // Every piece is tokenized even when truncating: the rest goes to the overflowing windows
        // (tokenizers 0.23 keeps them; newer sources stop early, which changes `overflowing`).
        try pre.tokenize { piece throws(TokenizationError) in try tokenizePiece(piece.normalized) }
        return pre.makeEncoding(typeID: typeID, wordIndex: nil, offsetConverter: ByteToScalarOffsets(pre.original))
    }

    private func encodeSequence(_ text: String, typeID: UInt32, allowedSpecial: SpecialTokenSet,
                                disallowedSpecial: SpecialTokenSet) throws(TokenizationError) -> Encoding {
        try encodeSequence(text, typeID: typeID, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                           tokenizePiece: { bytes throws(TokenizationError) in try tokenizePiece(bytes) })
    }

    /// `encode` with another model step (sampling: see `SamplingTokenizer`); truncation,
    /// post-processing and padding as in `encode`.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, allowedSpecial: SpecialTokenSet,
                disallowedSpecial: SpecialTokenSet,
                tokenizingPiecesWith body: ([UInt8]) throws(TokenizationError) -> [Token]) throws(TokenizationError) -> Encoding {
        func sequence(_ text: String, typeID: UInt32) throws(TokenizationError) -> Encoding {
            try encodeSequence(text, typeID: typeID, allowedSpecial: allowedSpecial, disallowedSpecial: disallowedSpecial,
                               tokenizePiece: body)
        }
        let first = try sequence(text, typeID: 0)
        let second = try pair.map { text throws(TokenizationError) in try sequence(text, typeID: 1) }
        return try postProcess(first, second, addSpecialTokens: addSpecialTokens)
    }

    /// The model step on one piece: the model's algorithm or the chosen inference method.
    @inline(__always)
    private func tokenizePiece(_ bytes: [UInt8]) throws(TokenizationError) -> [Token] {
        if let segmenter { return try segmenter.tokenize(bytes) }
        return try model.tokenize(bytes)
    }

    /// Truncation, post-processing and padding (tokenizers' `post_process`).
    func postProcess(_ encoding: Encoding, _ pair: Encoding?, addSpecialTokens: Bool, applyPadding: Bool = true) throws(TokenizationError) -> Encoding {
        var first = encoding
        var second = pair
        if let truncation {
            let added = postProcessor?.addedTokenCount(isPair: pair != nil) ?? 0
            var parameters = truncation
            if addSpecialTokens && added > 0 {
                parameters.maximumLength = max(0, truncation.maximumLength - added)
            }
            try parameters.truncate(&first, &second)
        }
        var result: Encoding
        if let postProcessor {
            result = postProcessor.processPair(first, second, addSpecialTokens: addSpecialTokens)
        } else if let second {
            result = Encoding()
            var a = first
            a.setSequenceID(0)
            var b = second
            b.setSequenceID(1)
            result.merge(with: a, growingOffsets: false)
            result.merge(with: b, growingOffsets: false)
        } else {
            result = first
        }
        if applyPadding, let padding {
            var list = [result]
            padding.pad(&list)
            result = list[0]
        }
        return result
    }

    // MARK: - Decoding

    /// Decodes ids to text. Invalid UTF-8 is replaced by U+FFFD as the reference library does.
    /// - Throws: `TokenizationError.unknownTokenID` only for tiktoken files (tiktoken raises) and
    ///   SentencePiece models (sentencepiece raises); tokenizer.json and GGUF files skip unknown ids
    ///   like `tokenizers`.
    public func decode(_ ids: [TokenID], skipSpecialTokens: Bool = false) throws(TokenizationError) -> String {
        if let fastDecoder {
            return try fastDecoder.decode(ids, skipSpecialTokens: skipSpecialTokens)
        }
        return try decodeThroughPipeline(ids, skipSpecialTokens: skipSpecialTokens)
    }

    /// Decoding by token strings and the decoder component: the general path, and the
    /// specification `FastDecoder` is tested against.
    func decodeThroughPipeline(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> String {
        if format == .tiktoken {
            return decodeUTF8Lossy(try decodeBytesThroughPipeline(ids, skipSpecialTokens: skipSpecialTokens))
        }
        if format == .sentencePiece, let id = ids.first(where: { model.token(forID: $0) == nil }) { throw .unknownTokenID(id) }
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let token = addedVocabulary.decodingString(forID: id) ?? model.token(forID: id) else { continue }
            if skipSpecialTokens && addedVocabulary.isSpecial(token) { continue }
            tokens.append(token)
        }
        if let decoder { return decoder.decode(tokens) }
        return tokens.joined(separator: " ")
    }

    /// The raw bytes of tokens (tiktoken's `decode_bytes`), special tokens as their UTF-8.
    public func decodeBytes(_ ids: [TokenID], skipSpecialTokens: Bool = false) throws(TokenizationError) -> [UInt8] {
        if let fastDecoder, fastDecoder.unknownIDsThrow { return try fastDecoder.decodeBytes(ids, skipSpecialTokens: skipSpecialTokens) }
        return try decodeBytesThroughPipeline(ids, skipSpecialTokens: skipSpecialTokens)
    }

    func decodeBytesThroughPipeline(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids {
            if let special = addedVocabulary.tokens[id] {
                if skipSpecialTokens && special.special { continue }
                bytes += Array(special.content.utf8)
            } else if case let .bpe(bpe) = model, bpe.alphabet == .byteLevel, let key = bpe.keyBytes(forID: id) {
                bytes += key
            } else if let token = model.token(forID: id) {
                bytes += Array(token.utf8)
            } else {
                throw .unknownTokenID(id)
            }
        }
        return bytes
    }

    /// Decodes many id lists, in parallel.
    public func decodeBatch(_ batch: [[TokenID]], skipSpecialTokens: Bool = false, threads: Int = 0) throws(TokenizationError) -> [String] {
        try ParallelMap.map(batch, threads: threads) { ids throws(TokenizationError) in
            try decode(ids, skipSpecialTokens: skipSpecialTokens)
        }
    }
}

/// Truncation settings (tokenizer.json `truncation`).
public struct TruncationParameters: Sendable, Equatable {
    public enum Strategy: String, Sendable {
        case longestFirst = "LongestFirst"
        case onlyFirst = "OnlyFirst"
        case onlySecond = "OnlySecond"
    }
    public var maximumLength: Int
    public var strategy: Strategy
    public var stride: Int
    public var direction: TruncationDirection

    public init(maximumLength: Int, strategy: Strategy = .longestFirst, stride: Int = 0, direction: TruncationDirection = .right) {
        self.maximumLength = maximumLength
        self.strategy = strategy
        self.stride = stride
        self.direction = direction
    }

    /// tokenizers' `truncate_encodings`.
    func truncate(_ encoding: inout Encoding, _ pair: inout Encoding?) throws(TokenizationError) {
        if maximumLength == 0 {
            try encoding.truncate(to: 0, stride: stride, direction: direction)
            try pair?.truncate(to: 0, stride: stride, direction: direction)
            return
        }
        let total = encoding.count + (pair?.count ?? 0)
        guard total > maximumLength else { return }
        let toRemove = total - maximumLength
        switch strategy {
        case .longestFirst:
            if var other = pair {
                var n1 = encoding.count
                var n2 = other.count
                let swapped = n1 > n2
                if swapped { swap(&n1, &n2) }
                if n1 > maximumLength {
                    n2 = n1
                } else {
                    n2 = max(n1, maximumLength - n1)
                }
                if n1 + n2 > maximumLength {
                    n1 = maximumLength / 2
                    n2 = n1 + maximumLength % 2
                }
                if swapped { swap(&n1, &n2) }
                try encoding.truncate(to: n1, stride: stride, direction: direction)
                try other.truncate(to: n2, stride: stride, direction: direction)
                pair = other
            } else {
                try encoding.truncate(to: total - toRemove, stride: stride, direction: direction)
            }
        case .onlyFirst, .onlySecond:
            if strategy == .onlyFirst {
                guard encoding.count > toRemove else { throw .truncation("sequence to truncate too short to respect the provided max_length") }
                try encoding.truncate(to: encoding.count - toRemove, stride: stride, direction: direction)
            } else {
                guard var other = pair else { throw .truncation("second sequence not provided") }
                guard other.count > toRemove else { throw .truncation("sequence to truncate too short to respect the provided max_length") }
                try other.truncate(to: other.count - toRemove, stride: stride, direction: direction)
                pair = other
            }
        }
    }
}

/// Padding settings (tokenizer.json `padding`).
public struct PaddingParameters: Sendable, Equatable {
    public enum Strategy: Sendable, Equatable {
        case batchLongest
        case fixed(Int)
    }
    public var strategy: Strategy
    public var direction: PaddingDirection
    public var padToMultipleOf: Int?
    public var padID: TokenID
    public var padTypeID: UInt32
    public var padToken: String

    public init(strategy: Strategy = .batchLongest, direction: PaddingDirection = .right, padToMultipleOf: Int? = nil,
                padID: TokenID = 0, padTypeID: UInt32 = 0, padToken: String = "[PAD]") {
        self.strategy = strategy
        self.direction = direction
        self.padToMultipleOf = padToMultipleOf
        self.padID = padID
        self.padTypeID = padTypeID
        self.padToken = padToken
    }

    /// tokenizers' `pad_encodings`.
    public func pad(_ encodings: inout [Encoding]) {
        guard !encodings.isEmpty else { return }
        var length: Int
        switch strategy {
        case let .fixed(n): length = n
        case .batchLongest: length = encodings.map(\.count).max() ?? 0
        }
        if let multiple = padToMultipleOf, multiple > 0, length % multiple > 0 {
            length += multiple - length % multiple
        }
        for i in encodings.indices {
            encodings[i].pad(to: length, id: padID, typeID: padTypeID, token: padToken, direction: direction)
        }
    }
}
