// Builds a Tokenkit `Tokenizer` from the `tokenizer.ggml.*` metadata of a GGUF
// file, following llama.cpp's `llama_vocab` (which tokens are matched in the
// text, BOS/EOS/SEP, add_space_prefix…) and, where llama.cpp departs from the
// Hugging Face tokenizer the file was converted from, the Hugging Face pipeline:
//
// * gpt2 (byte-level BPE): Split pre-tokenizers with the original patterns of
//   `tokenizer.ggml.pre`, ByteLevel, BPE with the file's merges.
// * llama (SentencePiece BPE): Metaspace (prepend `▁` to the start of the input
//   only, as tokenizers' `prepend_scheme: first`; llama.cpp prepends after every
//   special token) and BPE with byte fallback, whose merges are derived from the
//   scores as transformers' SentencePiece converter does (every split of a piece
//   into two pieces, ranked by the piece's score) — the same segmentation as
//   llama.cpp's score-driven bigram merging.
// * bert (WordPiece): BertNormalizer + BertPreTokenizer + WordPiece over the
//   vocabulary spelled back from llama.cpp's phantom-space form to `##` form.
// * t5 (Unigram): Precompiled charsmap, whitespace clean-up, Metaspace, Unigram.
//
// Each type gets the decoder of the Hugging Face tokenizer it comes from:
// ByteLevel (gpt2), Replace("▁", " ") + ByteFallback + Fuse + Strip (llama),
// WordPiece (bert), Metaspace (t5).
//
// Control and user-defined tokens are matched in the text before tokenizing
// (llama.cpp's `parse_special`). Unknown-type tokens are not: the converter marks
// an unknown token that the Hugging Face tokenizer matches as control.

extension Tokenizer {
    /// Loads the tokenizer of a GGUF file (memory-mapped: only the metadata is read).
    static func loadGGUF(path: String) throws(TokenizerLoadingError) -> Tokenizer {
        let file = try GGUFFile(contentsOf: path)
        return try GGUFTokenizerBuilder(file: path).build(file)
    }

    /// Loads the tokenizer of a GGUF file held in memory.
    static func loadGGUF(bytes: [UInt8], name: String) throws(TokenizerLoadingError) -> Tokenizer {
        let file = try GGUFFile(bytes: bytes, file: name)
        return try GGUFTokenizerBuilder(file: name).build(file)
    }
}

struct GGUFTokenizerBuilder {
    let file: String

    func malformed(_ message: String) -> TokenizerLoadingError { TokenizerLoadingError(.malformed, file: file, message) }

    func build(_ gguf: GGUFFile) throws(TokenizerLoadingError) -> Tokenizer {
        let vocab = try GGUFVocabulary(gguf, file: file)
        switch vocab.model {
        case "gpt2": return try buildGPT2(vocab)
        case "llama": return try buildLlama(vocab)
        case "bert": return try buildBert(vocab)
        case "t5": return try buildT5(vocab)
        case "no_vocab", "none":
            throw TokenizerLoadingError(.unsupported, file: file, "tokenizer.ggml.model \(vocab.model.debugDescription): the file has no vocabulary")
        default:
            throw TokenizerLoadingError(.unsupported, file: file, "tokenizer.ggml.model \(vocab.model.debugDescription) is not supported (supported: gpt2, llama, bert, t5)")
        }
    }

    /// Control and user-defined tokens, matched in the text as tokenizers' added tokens.
    private func addedVocabulary(_ vocab: GGUFVocabulary) -> AddedVocabulary {
        var added = AddedVocabulary()
        var entries: [(TokenID, AddedToken)] = []
        for id in 0..<vocab.count where vocab.types[id] == .control || vocab.types[id] == .userDefined {
            entries.append((TokenID(id), AddedToken(vocab.tokens.string(id), special: vocab.types[id] == .control, normalized: false)))
        }
        added.add(fixed: entries)
        return added
    }

    private func template(_ vocab: GGUFVocabulary, first: TokenID?, last: TokenID?, pairMiddle: TokenID?) -> PostProcessorComponent? {
        guard first != nil || last != nil else { return nil }
        var specials: [String: TemplatePostProcessor.SpecialToken] = [:]
        func piece(_ id: TokenID, _ typeID: UInt32) -> TemplatePostProcessor.Piece {
            let name = vocab.tokens.string(Int(id))
            specials[name] = TemplatePostProcessor.SpecialToken(name: name, ids: [id], tokens: [name])
            return .specialToken(name: name, typeID: typeID)
        }
        var single: [TemplatePostProcessor.Piece] = []
        if let first { single.append(piece(first, 0)) }
        single.append(.sequence(index: 0, typeID: 0))
        if let last { single.append(piece(last, 0)) }
        var pair = single
        if let pairMiddle { pair.append(piece(pairMiddle, 1)) }
        pair.append(.sequence(index: 1, typeID: 1))
        if let last { pair.append(piece(last, 1)) }
        return .template(TemplatePostProcessor(single: single, pair: pair, specialTokens: specials))
    }

    // MARK: - gpt2

    private func buildGPT2(_ vocab: GGUFVocabulary) throws(TokenizerLoadingError) -> Tokenizer {
        let preName = vocab.pre ?? "default"
        guard let entry = GGUFPreTokenizerPatterns.entry(preName) else {
            throw TokenizerLoadingError(.unsupported, file: file, "tokenizer.ggml.pre \(preName.debugDescription) is not supported")
        }
        guard let merges = vocab.merges else {
            throw malformed("metadata key tokenizer.ggml.merges is missing: required for tokenizer.ggml.model \"gpt2\"")
        }
        var vocabulary = ByteStringTable(expectedCount: vocab.count)
        var extraTokens: [String: TokenID] = [:]
        var raw: [UInt8] = []
        vocab.tokens.forEachString { i, bytes in
            raw.removeAll(keepingCapacity: true)
            let special = vocab.types[i] == .control || vocab.types[i] == .userDefined
            if ByteLevelAlphabet.decode(utf8: bytes, into: &raw), !(special && vocabulary.value(for: raw) != nil) {
                vocabulary.set(raw, TokenID(i))
            } else {
                extraTokens[String(decoding: bytes, as: UTF8.self)] = TokenID(i)
            }
        }
        var pairs = PairTable(expectedCount: merges.count)
        var merged: [UInt8] = []
        merges.forEachString { rank, bytes in
            // llama.cpp splits at the first space after the first byte.
            guard bytes.count > 1, let space = bytes[1...].firstIndex(of: 0x20) else { return }
            merged.removeAll(keepingCapacity: true)
            guard ByteLevelAlphabet.decode(utf8: UnsafeBufferPointer(rebasing: bytes[..<space]), into: &merged) else { return }
            let leftCount = merged.count
            guard ByteLevelAlphabet.decode(utf8: UnsafeBufferPointer(rebasing: bytes[(space + 1)...]), into: &merged) else { return }
            let ids: (TokenID, TokenID, TokenID)? = merged.withUnsafeBufferPointer { m in
                guard let l = vocabulary.value(for: UnsafeBufferPointer(rebasing: m[..<leftCount])),
                      let r = vocabulary.value(for: UnsafeBufferPointer(rebasing: m[leftCount...])),
                      let t = vocabulary.value(for: m) else { return nil }
                return (l, r, t)
            }
            guard let (l, r, merged) = ids else { return }
            pairs.set(left: l, right: r, rank: UInt32(rank), result: merged, keepExisting: true)
        }
        var options = BPEModel.Options()
        options.ignoreMerges = entry.ignoreMerges
        let model = BPEModel(alphabet: .byteLevel, vocabulary: vocabulary, extraTokens: extraTokens, merges: pairs, options: options)

        var steps: [PreTokenizerComponent] = []
        for pattern in entry.patterns {
            do {
                let regex = try UnicodeRegex(pattern, dialect: .oniguruma)
                steps.append(.split(SplitPreTokenizer(pattern: .regex(regex), behavior: .isolated, invert: false)))
            } catch {
                throw TokenizerLoadingError(.unsupported, file: file, "tokenizer.ggml.pre \(preName.debugDescription): its pattern cannot be compiled (\(error))")
            }
        }
        steps.append(.byteLevel(ByteLevelPreTokenizer(addPrefixSpace: false, trimOffsets: false, useRegex: false)))
        let post = template(vocab, first: vocab.addBOS ? vocab.bosID : nil,
                            last: vocab.addEOS ? vocab.eosID : nil, pairMiddle: nil)
        return Tokenizer(format: .gguf, normalizer: entry.nfc ? .unicode(UnicodeNormalizer(form: .nfc)) : nil,
                         preTokenizer: .sequence(SequencePreTokenizer(steps)),
                         model: .bpe(model), postProcessor: post, decoder: .byteLevel(ByteLevelDecoder()),
                         addedVocabulary: addedVocabulary(vocab), truncation: nil, padding: nil)
    }

    // MARK: - llama (SentencePiece BPE)

    private func buildLlama(_ vocab: GGUFVocabulary) throws(TokenizerLoadingError) -> Tokenizer {
        var vocabulary = ByteStringTable(expectedCount: vocab.count)
        vocab.tokens.forEachString { i, bytes in
            if vocabulary.value(for: bytes) == nil { vocabulary.set(bytes, TokenID(i)) }
        }
        // Merges: every split of a piece into two pieces, ranked by the piece's score (highest
        // first), then by the piece's id, then by the ids of the two parts (transformers'
        // SentencePieceExtractor with scores).
        struct Candidate { var score: Float; var merged: TokenID; var left: TokenID; var right: TokenID }
        var candidates: [Candidate] = []
        candidates.reserveCapacity(vocab.count * 4)
        vocab.tokens.forEachString { i, bytes in
            guard vocabulary.value(for: bytes) == TokenID(i), bytes.count > 1 else { return }
            var cut = 1
            while cut < bytes.count {
                if bytes[cut] & 0xC0 != 0x80,
                   let l = vocabulary.value(for: UnsafeBufferPointer(rebasing: bytes[..<cut])),
                   let r = vocabulary.value(for: UnsafeBufferPointer(rebasing: bytes[cut...])) {
                    candidates.append(Candidate(score: vocab.scores[i], merged: TokenID(i), left: l, right: r))
                }
                cut += 1
            }
        }
        candidates.sort { a, b in
            if a.score != b.score { return a.score > b.score }
            if a.merged != b.merged { return a.merged < b.merged }
            if a.left != b.left { return a.left < b.left }
            return a.right < b.right
        }
        var pairs = PairTable(expectedCount: candidates.count)
        for (rank, c) in candidates.enumerated() {
            pairs.set(left: c.left, right: c.right, rank: UInt32(rank), result: c.merged, keepExisting: true)
        }
        var options = BPEModel.Options()
        options.byteFallback = vocab.types.contains(.byte)
        options.unknownToken = vocab.unknownID.map { vocab.tokens.string(Int($0)) }
        options.fuseUnknown = true
        let model = BPEModel(alphabet: .unicode, vocabulary: vocabulary, merges: pairs, options: options)
        // tokenizers' Metaspace with `prepend_scheme: first` (llama.cpp prepends after every
        // special token too; the Hugging Face tokenizer does not).
        let pre = MetaspacePreTokenizer(prependScheme: vocab.addSpacePrefix ? .first : .never, split: false)
        // transformers' LlamaConverter decoder (as in Llama 2 and Mistral tokenizer.json files).
        var decoders: [DecoderComponent] = [.replace(ReplaceNormalizer(pattern: .string("\u{2581}"), content: " ")),
                                            .byteFallback(ByteFallbackDecoder()), .fuse(FuseDecoder())]
        if vocab.addSpacePrefix { decoders.append(.strip(StripDecoder(content: 0x20, start: 1, stop: 0))) }
        let post = template(vocab, first: vocab.addBOS ? vocab.bosID : nil,
                            last: vocab.addEOS ? vocab.eosID : nil, pairMiddle: nil)
        return Tokenizer(format: .gguf, normalizer: nil, preTokenizer: .metaspace(pre), model: .bpe(model),
                         postProcessor: post, decoder: .sequence(SequenceDecoder(decoders)),
                         addedVocabulary: addedVocabulary(vocab), truncation: nil, padding: nil)
    }

    // MARK: - bert (WordPiece)

    private func buildBert(_ vocab: GGUFVocabulary) throws(TokenizerLoadingError) -> Tokenizer {
        guard let unknownID = vocab.unknownID else {
            throw malformed("metadata key tokenizer.ggml.unknown_token_id is missing: required for tokenizer.ggml.model \"bert\"")
        }
        // llama.cpp's converter spells the vocabulary with a phantom space: word-initial pieces
        // gain a `▁`, continuation pieces lose their `##`, control tokens (in older files: every
        // `[…]` token) stay as they are. Spelled back the Hugging Face way, the shared WordPiece
        // model gives the same pieces (`▁` + word ⇔ word at a word start, piece ⇔ `##` + piece
        // after it) and the tokens and decoded text of the source tokenizer.
        var vocabulary = ByteStringTable(expectedCount: vocab.count)
        var key: [UInt8] = []
        vocab.tokens.forEachString { i, bytes in
            key.removeAll(keepingCapacity: true)
            if vocab.types[i] == .control {
                key += bytes
            } else if bytes.starts(with: Self.phantomSpace) {
                key += bytes[3...]
            } else if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") {
                key += bytes
            } else {
                key += [UInt8(ascii: "#"), UInt8(ascii: "#")]
                key += bytes
            }
            if vocabulary.value(for: key) == nil { vocabulary.set(key, TokenID(i)) }
        }
        var unknownToken = ""
        vocabulary.forEach { key, id in if id == unknownID { unknownToken = String(decoding: key, as: UTF8.self) } }
        let model = WordPieceModel(vocabulary: vocabulary, unknownToken: unknownToken, continuingSubwordPrefix: "##",
                                   maximumInputCharactersPerWord: 100)
        // llama.cpp's WPM session adds BOS ([CLS]) and SEP whatever add_bos/add_sep say.
        let post = template(vocab, first: vocab.bosID, last: vocab.separatorID, pairMiddle: nil)
        return Tokenizer(format: .gguf, normalizer: .bert(BertNormalizer(lowercase: vocab.lowercase)),
                         preTokenizer: .bert(BertPreTokenizer()), model: .wordPiece(model), postProcessor: post,
                         decoder: .wordPiece(WordPieceDecoder(prefix: "##", cleanup: true)),
                         addedVocabulary: addedVocabulary(vocab), truncation: nil, padding: nil)
    }

    static let phantomSpace: [UInt8] = [0xE2, 0x96, 0x81]

    // MARK: - t5 (Unigram)

    private func buildT5(_ vocab: GGUFVocabulary) throws(TokenizerLoadingError) -> Tokenizer {
        guard let unknownID = vocab.unknownID else {
            throw malformed("metadata key tokenizer.ggml.unknown_token_id is missing: required for tokenizer.ggml.model \"t5\"")
        }
        // transformers' T5/SpmConverter normalizer: the precompiled charsmap, then (for models that
        // remove extra whitespace) Strip(right) and Replace(" {2,}", "▁").
        var normalizers: [NormalizerComponent] = []
        if let bytes = vocab.precompiledCharsmap {
            do {
                normalizers.append(.precompiled(try PrecompiledNormalizer(blob: bytes)))
            } catch {
                throw malformed("metadata key tokenizer.ggml.precompiled_charsmap: \(error.description)")
            }
        }
        if vocab.removeExtraWhitespaces {
            normalizers.append(.strip(StripNormalizer(left: false, right: true)))
            normalizers.append(.replace(ReplaceNormalizer(pattern: .regex(Self.multipleSpaces), content: "\u{2581}")))
        }
        // The pieces straight from the file's string array (length-prefixed UTF-8).
        var pieceBytes: [UInt8] = []
        pieceBytes.reserveCapacity(vocab.tokens.raw.count)
        var pieceStarts: [UInt32] = [0]
        pieceStarts.reserveCapacity(vocab.count + 1)
        vocab.tokens.forEachString { _, bytes in
            pieceBytes += bytes
            pieceStarts.append(UInt32(pieceBytes.count))
        }
        let model: UnigramModel
        do {
            model = try UnigramModel(pieceBytes: pieceBytes, pieceStarts: pieceStarts, scores: vocab.scores.map(Double.init),
                                     unknownID: Int(unknownID), byteFallback: vocab.types.contains(.byte))
        } catch {
            throw malformed("tokenizer.ggml.tokens: \(error.description)")
        }
        let metaspace = MetaspacePreTokenizer(prependScheme: vocab.addSpacePrefix ? .first : .never, split: true)
        let post = template(vocab, first: vocab.addBOS ? vocab.bosID : nil,
                            last: vocab.addEOS ? vocab.eosID : nil, pairMiddle: nil)
        return Tokenizer(format: .gguf, normalizer: normalizers.isEmpty ? nil : .sequence(SequenceNormalizer(normalizers)),
                         preTokenizer: .metaspace(metaspace), model: .unigram(model), postProcessor: post,
                         decoder: .metaspace(metaspace), addedVocabulary: addedVocabulary(vocab),
                         truncation: nil, padding: nil)
    }

    private static let multipleSpaces = try! UnicodeRegex(" {2,}", dialect: .oniguruma)
}
