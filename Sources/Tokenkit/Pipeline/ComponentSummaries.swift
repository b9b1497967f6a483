// One-line descriptions of pipeline components, for `tokenkit info` and debugging.

extension NormalizerComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .unicode(n): return String(describing: n.form).uppercased()
        case let .sequence(s): return "Sequence[" + s.normalizers.map(\.description).joined(separator: ", ") + "]"
        case let .precompiled(p): return "Precompiled(\(p.charsMap?.blob.count ?? 0) bytes)"
        case let .sentencePiece(n): return n.summary
        }
    }
}

extension PreTokenizerComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .split(s):
            let pattern: String
            switch s.pattern {
            case let .string(literal): pattern = literal.debugDescription
            case let .regex(regex): pattern = "/" + regex.pattern + "/"
            }
            return "Split(\(pattern), \(s.behavior.rawValue)\(s.invert ? ", inverted" : ""))"
        case let .byteLevel(b):
            return "ByteLevel(add_prefix_space: \(b.addPrefixSpace), use_regex: \(b.useRegex))"
        case let .sequence(s):
            return "Sequence[" + s.preTokenizers.map(\.description).joined(separator: ", ") + "]"
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
        }
    }
}

extension DecoderComponent: CustomStringConvertible {
    public var description: String {
        switch self {
        case .byteLevel: return "ByteLevel"
        case .sentencePiece: return "SentencePiece"
        }
    }
}
