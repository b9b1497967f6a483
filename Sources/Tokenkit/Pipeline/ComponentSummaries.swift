// One-line descriptions of pipeline components, for `tokenkit info` and debugging.

extension NormalizerComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unicode(n): return String(describing: n.form).uppercased()
        case let .bert(n):
            return "BertNormalizer(clean_text: \(n.cleanText), handle_chinese_chars: \(n.handleChineseCharacters), strip_accents: \(n.stripAccents.map(String.init) ?? "default"), lowercase: \(n.lowercase))"
        case .lowercase: return "Lowercase"
        case let .strip(n): return "Strip(left: \(n.left), right: \(n.right))"
        case .stripAccents: return "StripAccents"
        case let .replace(n): return "Replace(\(n.pattern) → \(n.content.debugDescription))"
        case let .prepend(n): return "Prepend(\(n.prefix.debugDescription))"
        case .nmt: return "Nmt"
        case .byteLevel: return "ByteLevel"
        case let .sequence(s): return "Sequence[" + s.normalizers.map(\.description).joined(separator: ", ") + "]"
        case let .precompiled(p): return "Precompiled(\(p.charsMap?.blob.count ?? 0) bytes)"
        case let .sentencePiece(n): return n.summary
        }
    }
}

extension SplitPreTokenizer.Pattern: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .string(literal): return literal.debugDescription
        case let .regex(regex): return "/" + regex.pattern + "/"
        }
    }
}

extension PreTokenizerComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .split(s): return "Split(\(s.pattern), \(s.behavior.rawValue)\(s.invert ? ", inverted" : ""))"
        case let .byteLevel(b): return "ByteLevel(add_prefix_space: \(b.addPrefixSpace), use_regex: \(b.useRegex))"
        case .bert: return "BertPreTokenizer"
        case .whitespace: return "Whitespace"
        case .whitespaceSplit: return "WhitespaceSplit"
        case let .metaspace(m): return "Metaspace(prepend_scheme: \(m.prependScheme.rawValue), split: \(m.split))"
        case let .punctuation(p): return "Punctuation(\(p.behavior.rawValue))"
        case let .digits(d): return "Digits(individual_digits: \(d.individualDigits))"
        case let .characterDelimiter(c): return "CharDelimiterSplit(U+\(String(c.delimiter, radix: 16, uppercase: true)))"
        case .unicodeScripts: return "UnicodeScripts"
        case let .fixedLength(f): return "FixedLength(\(f.length))"
        case let .sequence(s): return "Sequence[" + s.preTokenizers.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

extension ModelComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .bpe(m):
            var parts = ["\(m.vocabularySize) tokens", "\(m.merges.count) merges"]
            if m.alphabet == .byteLevel { parts.append("byte-level") }
            if m.options.ignoreMerges { parts.append("ignore_merges") }
            if m.options.byteFallback { parts.append("byte_fallback") }
            if let unknown = m.options.unknownToken { parts.append("unk \(unknown.debugDescription)") }
            return "BPE(" + parts.joined(separator: ", ") + ")"
        case let .wordPiece(m):
            return "WordPiece(\(m.vocabularySize) tokens, prefix \(m.continuingSubwordPrefix.debugDescription), unk \(m.unknownToken.debugDescription))"
        case let .wordLevel(m):
            return "WordLevel(\(m.vocabularySize) tokens, unk \(m.unknownToken.debugDescription))"
        case let .unigram(m): return m.summary
        case let .sentencePiece(m): return m.summary
        }
    }
}

extension PostProcessorComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .byteLevel(p): return "ByteLevel(trim_offsets: \(p.trimOffsets))"
        case let .template(t):
            func render(_ pieces: [TemplatePostProcessor.Piece]) -> String {
                pieces.map { piece in
                    switch piece {
                    case let .sequence(index, typeID): return (index == 0 ? "$A" : "$B") + ":\(typeID)"
                    case let .specialToken(name, typeID): return "\(name):\(typeID)"
                    }
                }.joined(separator: " ")
            }
            return "TemplateProcessing(single: \(render(t.single)), pair: \(render(t.pair)))"
        case let .bert(b): return "BertProcessing(\(b.classifier.token), \(b.separator.token))"
        case let .roberta(r): return "RobertaProcessing(\(r.classifier.token), \(r.separator.token), trim_offsets: \(r.trimOffsets))"
        case let .sequence(s): return "Sequence[" + s.processors.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

extension DecoderComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .byteLevel: return "ByteLevel"
        case let .wordPiece(d): return "WordPiece(prefix: \(d.prefix.debugDescription), cleanup: \(d.cleanup))"
        case let .metaspace(m): return "Metaspace(prepend_scheme: \(m.prependScheme.rawValue))"
        case .byteFallback: return "ByteFallback"
        case .fuse: return "Fuse"
        case let .strip(s): return "Strip(U+\(String(s.content, radix: 16, uppercase: true)), start: \(s.start), stop: \(s.stop))"
        case let .replace(r): return "Replace(\(r.pattern) → \(r.content.debugDescription))"
        case let .bpe(b): return "BPEDecoder(suffix: \(b.suffix.debugDescription))"
        case .ctc: return "CTC"
        case let .sequence(s): return "Sequence[" + s.decoders.map(\.description).joined(separator: ", ") + "]"
        case .sentencePiece: return "SentencePiece"
        }
    }
}
