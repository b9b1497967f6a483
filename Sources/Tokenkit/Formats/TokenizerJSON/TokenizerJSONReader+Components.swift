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
        default:
            throw unknownType("post-processor", type, known: knownPostProcessors, v, path)
        }
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
        case "Unigram": return .unigram(try readUnigram(v, path))
        default:
            if knownModels.contains(type!) { throw unsupported("model \(type!) (field \(path))") }
            throw malformed(v, "field \(path).type: unknown model type \(type!.debugDescription)")
        }
    }
}
