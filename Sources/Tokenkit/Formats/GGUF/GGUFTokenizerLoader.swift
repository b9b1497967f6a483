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

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
        let (vocabulary, extraTokens, pairs) = byteLevelVocabularyAndMerges(vocab.tokens, types: vocab.types, merges: merges)
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

    /// The byte-level BPE vocabulary (raw bytes → id; tokens whose text is not byte-level go to
    /// `extraTokens`, as do control and user-defined tokens whose bytes an earlier token has)
    /// and the merges, ranked in file order (the first rank of a pair wins).
    ///
    /// Performance notes: an o200k-size file has 200k tokens and 450k merges; done naively
    /// (decode both parts of every merge, three lookups in multi-megabyte hash tables) this
    /// took most of the load time. Here nothing allocates per entry, and the ids of a merge
    /// come from its stored (byte-level) text, which maps to bytes one character at a time:
    /// * the merged token is first guessed — the previous merge's token or the one after it,
    ///   as files list tokens in merge order with all the merges of a token together — and
    ///   checked by comparing its stored text with the line without its space;
    /// * parts of up to 8 stored bytes are looked up in a small direct-mapped cache keyed by
    ///   their stored bytes, which stays in the CPU cache (most parts are short and repeat);
    /// * only what misses is decoded and looked up in the vocabulary;
    /// * the pair table, a cache miss per insert, is allocated and filled on a second thread
    ///   while this one builds the vocabulary and works out the ids (`PairTableFiller`).
    private func byteLevelVocabularyAndMerges(_ tokens: GGUFArray, types: [GGUFTokenType], merges: GGUFArray)
        -> (ByteStringTable, [String: TokenID], PairTable) {
        var longest = 0
        for i in 0..<tokens.count { longest = max(longest, tokens.stringEnds[i] - tokens.stringStarts[i]) }
        for i in 0..<merges.count { longest = max(longest, merges.stringEnds[i] - merges.stringStarts[i]) }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: longest + 1)
        defer { scratch.deallocate() }
        let table = ByteLevelAlphabet.byteForScalarTable

        let filler = PairTableFiller(mergeCount: merges.count, keepFirst: true)
        var vocabulary = ByteStringTable(compactFor: tokens.count)
        var extraTokens: [String: TokenID] = [:]
        table.withUnsafeBufferPointer { table in
            tokens.forEachString { i, bytes in
                if let count = ByteLevelAlphabet.decode(utf8: bytes, to: scratch, table: table) {
                    let key = UnsafeBufferPointer(start: scratch, count: count)
                    let special = types[i] == .control || types[i] == .userDefined
                    if !(special && vocabulary.value(for: key) != nil) {
                        vocabulary.set(key, TokenID(i))
                        return
                    }
                }
                extraTokens[String(decoding: bytes, as: UTF8.self)] = TokenID(i)
            }
        }
        // The ids the vocabulary gives for their bytes (a later token with the same bytes wins).
        var canonical = [Bool](repeating: false, count: tokens.count)
        vocabulary.forEach { _, id in canonical[Int(id)] = true }

        // Slot i: cache[2i] = up to 8 stored bytes (little-endian, zero-padded),
        // cache[2i + 1] = their count << 32 | id (0: empty, counts are at least 1).
        let cacheBits = 16
        var cache = [UInt64](repeating: 0, count: 2 << cacheBits)
        cache.withUnsafeMutableBufferPointer { cache in
            table.withUnsafeBufferPointer { table in
                tokens.raw.withUnsafeBufferPointer { tokenBytes in
                    merges.raw.withUnsafeBufferPointer { mergeBytes in
                        canonical.withUnsafeBufferPointer { canonical in
                            let mergeEnd = mergeBytes.baseAddress! + mergeBytes.count
                            /// The vocabulary id of the bytes of a stored text, decoded into `out`
                            /// on a cache miss; nil when it is not byte-level or not in the vocabulary.
                            func id(_ text: UnsafePointer<UInt8>, _ count: Int, decodingTo out: UnsafeMutablePointer<UInt8>) -> TokenID? {
                                var key: UInt64 = 0
                                var slot = 0
                                let cached = count >= 1 && count <= 8
                                if cached {
                                    if mergeEnd - text >= 8 {
                                        key = UnsafeRawPointer(text).loadUnaligned(as: UInt64.self)
                                        if count < 8 { key &= (1 << UInt64(count &* 8)) &- 1 }
                                    } else {
                                        for k in 0..<count { key |= UInt64(text[k]) << UInt64(k &* 8) }
                                    }
                                    slot = Int(truncatingIfNeeded: ((key ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - cacheBits))
                                    if cache[2 &* slot] == key, cache[2 &* slot &+ 1] >> 32 == UInt64(count) {
                                        return TokenID(truncatingIfNeeded: cache[2 &* slot &+ 1])
                                    }
                                }
                                guard let decoded = ByteLevelAlphabet.decode(utf8: UnsafeBufferPointer(start: text, count: count), to: out, table: table),
                                      let id = vocabulary.value(for: UnsafeBufferPointer(start: out, count: decoded)) else { return nil }
                                if cached {
                                    cache[2 &* slot] = key
                                    cache[2 &* slot &+ 1] = UInt64(count) << 32 | UInt64(id)
                                }
                                return id
                            }
                            var guess = 0
                            var writer = filler.writer()
                            defer { writer.close() }
                            for rank in 0..<merges.count {
                                let line = mergeBytes.baseAddress! + merges.stringStarts[rank]
                                let count = merges.stringEnds[rank] - merges.stringStarts[rank]
                                // llama.cpp splits at the first space after the first byte.
                                guard count > 1 else { continue }
                                var space = 1
                                while space < count, line[space] != 0x20 { space &+= 1 }
                                guard space < count,
                                      let left = id(line, space, decodingTo: scratch),
                                      let right = id(line + space + 1, count - space - 1, decodingTo: scratch)
                                else { continue }
                                // A token whose stored text is the line without its space, and which the
                                // vocabulary maps its bytes to, is the merge of the two parts.
                                func isMerged(_ g: Int) -> Bool {
                                    guard g >= 0, g < canonical.count, canonical[g] else { return false }
                                    let start = tokens.stringStarts[g]
                                    guard tokens.stringEnds[g] - start == count - 1 else { return false }
                                    let stored = tokenBytes.baseAddress! + start
                                    return memcmp(stored, line, space) == 0 && memcmp(stored + space, line + space + 1, count - space - 1) == 0
                                }
                                let merged: TokenID
                                if isMerged(guess) {
                                    merged = TokenID(guess)
                                } else if isMerged(guess - 1) {
                                    merged = TokenID(guess - 1)
                                } else {
                                    guard let leftCount = ByteLevelAlphabet.decode(utf8: UnsafeBufferPointer(start: line, count: space), to: scratch, table: table),
                                          let rightCount = ByteLevelAlphabet.decode(utf8: UnsafeBufferPointer(start: line + space + 1, count: count - space - 1),
                                                                                    to: scratch + leftCount, table: table),
                                          let id = vocabulary.value(for: UnsafeBufferPointer(start: scratch, count: leftCount + rightCount))
                                    else { continue }
                                    merged = id
                                }
                                guess = Int(merged) + 1
                                writer.add(left: left, right: right, rank: UInt32(rank), result: merged)
                            }
                        }
                    }
                }
            }
        }
        return (vocabulary, extraTokens, filler.finish())
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
            pairs.set(left: c.left, right: c.right, rank: UInt32(rank), result: c.merged, keepingFirst: true)
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
