// Decoding of each pipeline stage of tokenizer.json. The `type` names and field
// names are those of Hugging Face `tokenizers`' serde format.

/// Component types that `tokenizers` defines, so that a valid file using one that
/// Tokenkit does not implement is reported as unsupported rather than malformed.
private let knownNormalizers: Set<String> = ["BertNormalizer", "Strip", "StripAccents", "NFC", "NFD", "NFKC", "NFKD",
                                             "Sequence", "Lowercase", "Nmt", "Precompiled", "Replace", "Prepend", "ByteLevel"]
private let knownPreTokenizers: Set<String> = ["BertPreTokenizer", "ByteLevel", "Delimiter", "CharDelimiterSplit", "Metaspace",
                                               "Whitespace", "Sequence", "Split", "Punctuation", "WhitespaceSplit",
                                               "Digits", "UnicodeScripts", "FixedLength"]
private let knownPostProcessors: Set<String> = ["RobertaProcessing", "BertProcessing", "ByteLevel", "TemplateProcessing", "Sequence"]
private let knownDecoders: Set<String> = ["BPEDecoder", "ByteLevel", "WordPiece", "Metaspace", "CTC", "Sequence",
                                          "Replace", "Fuse", "Strip", "ByteFallback"]
private let knownModels: Set<String> = ["BPE", "WordPiece", "WordLevel", "Unigram"]

extension TokenizerJSONReader {
    func unknownType(_ stage: String, _ type: String, known: Set<String>, _ value: JSONValue, _ path: String) -> TokenizerLoadingError {
        if known.contains(type) {
            return unsupported("\(stage) \(type) (field \(path))")
        }
        return malformed(value, "field \(path).type: unknown \(stage) type \(type.debugDescription)")
    }

    // MARK: - Normalizers

    func readNormalizer(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> NormalizerComponent {
        let type = try type(of: v, path)
        switch type {
        case "NFC": return .unicode(UnicodeNormalizer(form: .nfc))
        case "NFD": return .unicode(UnicodeNormalizer(form: .nfd))
        case "NFKC": return .unicode(UnicodeNormalizer(form: .nfkc))
        case "NFKD": return .unicode(UnicodeNormalizer(form: .nfkd))
        case "BertNormalizer":
            return .bert(BertNormalizer(
                cleanText: try bool(v, "clean_text", path, default: true),
                handleChineseCharacters: try bool(v, "handle_chinese_chars", path, default: true),
                stripAccents: try optional(v, "strip_accents").map { s throws(TokenizerLoadingError) in
                    try wrap { () throws(JSONError) in try s.expectBool(path: path + ".strip_accents") }
                },
                lowercase: try bool(v, "lowercase", path, default: true)))
        case "Lowercase": return .lowercase(LowercaseNormalizer())
        case "Strip":
            return .strip(StripNormalizer(left: try bool(v, "strip_left", path, default: true),
                                          right: try bool(v, "strip_right", path, default: true)))
        case "StripAccents": return .stripAccents(StripAccentsNormalizer())
        case "Nmt": return .nmt(NmtNormalizer())
        case "ByteLevel": return .byteLevel(ByteLevelNormalizer())
        case "Replace":
            return .replace(ReplaceNormalizer(pattern: try readSplitPattern(v, path), content: try requireString(v, "content", path)))
        case "Prepend":
            return .prepend(PrependNormalizer(try requireString(v, "prepend", path)))
        case "Precompiled": return .precompiled(try readPrecompiled(v, path))
        case "Sequence":
            let list = try array(v, "normalizers", path)
            var items: [NormalizerComponent] = []
            for (i, item) in list.elements.enumerated() {
                items.append(try readNormalizer(item, "\(path).normalizers[\(i)]"))
            }
            return .sequence(SequenceNormalizer(items))
        default:
            throw unknownType("normalizer", type, known: knownNormalizers, v, path)
        }
    }

    // MARK: - Pre-tokenizers

    func readPreTokenizer(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> PreTokenizerComponent {
        let type = try type(of: v, path)
        switch type {
        case "ByteLevel":
            return .byteLevel(ByteLevelPreTokenizer(
                addPrefixSpace: try bool(v, "add_prefix_space", path, default: true),
                trimOffsets: try bool(v, "trim_offsets", path, default: true),
                useRegex: try bool(v, "use_regex", path, default: true)))
        case "Split":
            return .split(try readSplit(v, path))
        case "BertPreTokenizer": return .bert(BertPreTokenizer())
        case "Whitespace": return .whitespace(WhitespacePreTokenizer())
        case "WhitespaceSplit": return .whitespaceSplit(WhitespaceSplitPreTokenizer())
        case "UnicodeScripts": return .unicodeScripts(UnicodeScriptsPreTokenizer())
        case "Metaspace": return .metaspace(try readMetaspace(v, path))
        case "Punctuation":
            let behavior = optional(v, "behavior") == nil ? SplitDelimiterBehavior.isolated : try readBehavior(v, path)
            return .punctuation(PunctuationPreTokenizer(behavior: behavior))
        case "Digits":
            return .digits(DigitsPreTokenizer(individualDigits: try bool(v, "individual_digits", path, default: false)))
        case "CharDelimiterSplit":
            return .characterDelimiter(CharacterDelimiterPreTokenizer(delimiter: try readCharacter(v, "delimiter", path)))
        case "FixedLength":
            return .fixedLength(FixedLengthPreTokenizer(length: try int(v, "length", path) ?? 5))
        case "Sequence":
            let list = try array(v, "pretokenizers", path)
            var items: [PreTokenizerComponent] = []
            for (i, item) in list.elements.enumerated() {
                items.append(try readPreTokenizer(item, "\(path).pretokenizers[\(i)]"))
            }
            return .sequence(SequencePreTokenizer(items))
        default:
            throw unknownType("pre-tokenizer", type, known: knownPreTokenizers, v, path)
        }
    }

    /// A field holding exactly one character (Rust `char`).
    func readCharacter(_ v: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> UInt32 {
        let text = try requireString(v, key, path)
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 1 else {
            throw malformed(v[key] ?? v, "field \(path).\(key): expected a single character, found \(text.debugDescription)")
        }
        return scalars[0].value
    }

    func readMetaspace(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> MetaspacePreTokenizer {
        let replacement = try readCharacter(v, "replacement", path)
        var scheme = MetaspacePreTokenizer.PrependScheme.always
        if let name = try string(v, "prepend_scheme", path) {
            guard let s = MetaspacePreTokenizer.PrependScheme(rawValue: name) else {
                throw malformed(v, "field \(path).prepend_scheme: expected first, never or always, found \(name.debugDescription)")
            }
            scheme = s
        }
        if let addPrefixSpace = optional(v, "add_prefix_space"), addPrefixSpace.bool == false {
            // Older files: add_prefix_space false means "never" (tokenizers refuses a contradiction).
            guard optional(v, "prepend_scheme") == nil || scheme == .never else {
                throw malformed(v, "field \(path): add_prefix_space does not match declared prepend_scheme")
            }
            scheme = .never
        }
        return MetaspacePreTokenizer(replacement: replacement, prependScheme: scheme, split: try bool(v, "split", path, default: true))
    }

    func readSplitPattern(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> SplitPreTokenizer.Pattern {
        let patternValue = try require(v, "pattern", path)
        let patternPath = path + ".pattern"
        if let s = optional(patternValue, "String") {
            return .string(try wrap { () throws(JSONError) in try s.expectString(path: patternPath + ".String") })
        }
        if let r = optional(patternValue, "Regex") {
            let source = try wrap { () throws(JSONError) in try r.expectString(path: patternPath + ".Regex") }
            return .regex(try compileRegex(source, dialect: .oniguruma, at: r, patternPath + ".Regex"))
        }
        throw malformed(patternValue, "field \(patternPath): expected {\"String\": ...} or {\"Regex\": ...}")
    }

    func compileRegex(_ source: String, dialect: RegexDialect, at v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> UnicodeRegex {
        do {
            return try UnicodeRegex(source, dialect: dialect)
        } catch {
            switch error.kind {
            case .unsupportedFeature: throw unsupported("regular expression in \(path): \(error.description)")
            case .invalidPattern: throw malformed(v, "field \(path): \(error.description)")
            }
        }
    }

    func readBehavior(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> SplitDelimiterBehavior {
        let name = try requireString(v, "behavior", path)
        guard let behavior = SplitDelimiterBehavior(rawValue: name) else {
            throw malformed(v, "field \(path).behavior: expected one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous, found \(name.debugDescription)")
        }
        return behavior
    }

    func readSplit(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> SplitPreTokenizer {
        SplitPreTokenizer(pattern: try readSplitPattern(v, path), behavior: try readBehavior(v, path),
                          invert: try bool(v, "invert", path, default: false))
    }

    // MARK: - Post-processors

    func readPostProcessor(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> PostProcessorComponent {
        let type = try type(of: v, path)
        switch type {
        case "ByteLevel":
            return .byteLevel(ByteLevelPostProcessor(
                addPrefixSpace: try bool(v, "add_prefix_space", path, default: true),
                trimOffsets: try bool(v, "trim_offsets", path, default: true)))
        case "TemplateProcessing":
            return .template(try readTemplate(v, path))
        case "BertProcessing":
            return .bert(BertPostProcessor(separator: try readTokenPair(v, "sep", path), classifier: try readTokenPair(v, "cls", path)))
        case "RobertaProcessing":
            return .roberta(RobertaPostProcessor(
                separator: try readTokenPair(v, "sep", path), classifier: try readTokenPair(v, "cls", path),
                trimOffsets: try bool(v, "trim_offsets", path, default: true),
                addPrefixSpace: try bool(v, "add_prefix_space", path, default: true)))
        case "Sequence":
            let list = try array(v, "processors", path)
            var items: [PostProcessorComponent] = []
            for (i, item) in list.elements.enumerated() {
                items.append(try readPostProcessor(item, "\(path).processors[\(i)]"))
            }
            return .sequence(SequencePostProcessor(items))
        default:
            throw unknownType("post-processor", type, known: knownPostProcessors, v, path)
        }
    }

    /// `["[SEP]", 102]`.
    func readTokenPair(_ v: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> (token: String, id: TokenID) {
        let pair = try array(v, key, path)
        guard pair.count == 2, let token = pair[0]?.string, let id = pair[1]?.int, id >= 0, id <= Int(UInt32.max) else {
            throw malformed(pair, "field \(path).\(key): expected [token, id]")
        }
        return (token, TokenID(id))
    }

    func readTemplatePieces(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> [TemplatePostProcessor.Piece] {
        if let text = v.string {
            guard let pieces = TemplatePostProcessor.parsePieces(text) else {
                throw malformed(v, "field \(path): cannot parse template \(text.debugDescription)")
            }
            return pieces
        }
        _ = try wrap { () throws(JSONError) in try v.expectArray(path: path) }
        var pieces: [TemplatePostProcessor.Piece] = []
        for (i, item) in v.elements.enumerated() {
            let p = "\(path)[\(i)]"
            if let text = item.string {
                guard let piece = TemplatePostProcessor.parsePiece(text) else {
                    throw malformed(item, "field \(p): cannot parse template piece \(text.debugDescription)")
                }
                pieces.append(piece)
            } else if let s = optional(item, "Sequence") {
                let id = try requireString(s, "id", p + ".Sequence")
                guard id == "A" || id == "B" else { throw malformed(s, "field \(p).Sequence.id: expected \"A\" or \"B\", found \(id.debugDescription)") }
                pieces.append(.sequence(index: id == "A" ? 0 : 1, typeID: UInt32(try requireInt(s, "type_id", p + ".Sequence"))))
            } else if let s = optional(item, "SpecialToken") {
                pieces.append(.specialToken(name: try requireString(s, "id", p + ".SpecialToken"),
                                            typeID: UInt32(try requireInt(s, "type_id", p + ".SpecialToken"))))
            } else {
                throw malformed(item, "field \(p): expected {\"Sequence\": ...} or {\"SpecialToken\": ...}")
            }
        }
        return pieces
    }

    func readTemplate(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> TemplatePostProcessor {
        let single = try readTemplatePieces(try require(v, "single", path), path + ".single")
        let pair = try readTemplatePieces(try require(v, "pair", path), path + ".pair")
        var specials: [String: TemplatePostProcessor.SpecialToken] = [:]
        if let map = optional(v, "special_tokens") {
            _ = try wrap { () throws(JSONError) in try map.expectObject(path: path + ".special_tokens") }
            for (key, entry) in map.members {
                let name = key.string ?? ""
                let p = "\(path).special_tokens.\(name)"
                let ids = try array(entry, "ids", p)
                let tokens = try array(entry, "tokens", p)
                var idList: [TokenID] = []
                for (i, id) in ids.elements.enumerated() {
                    guard let n = id.int, n >= 0, n <= Int(UInt32.max) else { throw malformed(id, "field \(p).ids[\(i)]: expected a token id") }
                    idList.append(TokenID(n))
                }
                var tokenList: [String] = []
                for (i, t) in tokens.elements.enumerated() {
                    guard let s = t.string else { throw malformed(t, "field \(p).tokens[\(i)]: expected a string") }
                    tokenList.append(s)
                }
                guard idList.count == tokenList.count else {
                    throw malformed(entry, "field \(p): ids and tokens must have the same length")
                }
                specials[name] = .init(name: try requireString(entry, "id", p), ids: idList, tokens: tokenList)
            }
        }
        for piece in single + pair {
            if case let .specialToken(name, _) = piece, specials[name] == nil {
                throw malformed(v, "field \(path): missing special token \(name.debugDescription) in special_tokens")
            }
        }
        return TemplatePostProcessor(single: single, pair: pair, specialTokens: specials)
    }

    // MARK: - Decoders

    func readDecoder(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> DecoderComponent {
        let type = try type(of: v, path)
        switch type {
        case "ByteLevel":
            return .byteLevel(ByteLevelDecoder())
        case "WordPiece":
            return .wordPiece(WordPieceDecoder(prefix: try string(v, "prefix", path) ?? "##",
                                               cleanup: try bool(v, "cleanup", path, default: true)))
        case "Metaspace": return .metaspace(try readMetaspace(v, path))
        case "ByteFallback": return .byteFallback(ByteFallbackDecoder())
        case "Fuse": return .fuse(FuseDecoder())
        case "Strip":
            return .strip(StripDecoder(content: try readCharacter(v, "content", path),
                                       start: try int(v, "start", path) ?? 0, stop: try int(v, "stop", path) ?? 0))
        case "Replace":
            return .replace(ReplaceNormalizer(pattern: try readSplitPattern(v, path), content: try requireString(v, "content", path)))
        case "BPEDecoder":
            return .bpe(BPESuffixDecoder(suffix: try string(v, "suffix", path) ?? "</w>"))
        case "CTC":
            return .ctc(CTCDecoder(padToken: try string(v, "pad_token", path) ?? "<pad>",
                                   wordDelimiterToken: try string(v, "word_delimiter_token", path) ?? "|",
                                   cleanup: try bool(v, "cleanup", path, default: true)))
        case "Sequence":
            let list = try array(v, "decoders", path)
            var items: [DecoderComponent] = []
            for (i, item) in list.elements.enumerated() {
                items.append(try readDecoder(item, "\(path).decoders[\(i)]"))
            }
            return .sequence(SequenceDecoder(items))
        default:
            throw unknownType("decoder", type, known: knownDecoders, v, path)
        }
    }

    // MARK: - Models

    func readModel(_ v: JSONValue, _ path: String, byteLevelText: Bool) throws(TokenizerLoadingError) -> ModelComponent {
        _ = try wrap { () throws(JSONError) in try v.expectObject(path: path) }
        var type = try string(v, "type", path)
        if type == nil {
            // Files written by old versions of tokenizers have no `type`: infer it as they do.
            if v["merges"] != nil { type = "BPE" }
            else if v["max_input_chars_per_word"] != nil { type = "WordPiece" }
            else if v["vocab"]?.isArray == true { type = "Unigram" }
            else { type = "WordLevel" }
        }
        switch type! {
        case "BPE":
            return .bpe(try readBPE(v, path, byteLevelText: byteLevelText))
        case "WordPiece":
            return .wordPiece(WordPieceModel(
                vocabulary: try readVocabulary(v, path), unknownToken: try string(v, "unk_token", path) ?? "[UNK]",
                continuingSubwordPrefix: try string(v, "continuing_subword_prefix", path) ?? "##",
                maximumInputCharactersPerWord: try int(v, "max_input_chars_per_word", path) ?? 100))
        case "WordLevel":
            return .wordLevel(WordLevelModel(vocabulary: try readVocabulary(v, path),
                                             unknownToken: try string(v, "unk_token", path) ?? "<unk>"))
        case "Unigram": return .unigram(try readUnigram(v, path))
        default:
            if knownModels.contains(type!) { throw unsupported("model \(type!) (field \(path))") }
            throw malformed(v, "field \(path).type: unknown model type \(type!.debugDescription)")
        }
    }

    /// A `{"token": id}` vocabulary keyed by the tokens' UTF-8.
    func readVocabulary(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> ByteStringTable {
        let vocab = try require(v, "vocab", path)
        _ = try wrap { () throws(JSONError) in try vocab.expectObject(path: path + ".vocab") }
        var table = ByteStringTable(expectedCount: vocab.count)
        try vocab.forEachMember { (key, value) throws(TokenizerLoadingError) in
            guard let n = value.int, n >= 0, n <= Int(UInt32.max) else {
                throw malformed(value, "field \(path).vocab[\(key.string?.debugDescription ?? "?")]: expected a token id (a non-negative integer), found \(value.kind)")
            }
            key.withStringBytes { table.set($0, TokenID(n)) }
        }
        return table
    }
}
