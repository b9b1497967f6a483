/// Every post-processor Tokenkit implements; mirrors tokenizer.json's `post_processor` field.
public indirect enum PostProcessorComponent: PostProcessor {
    case byteLevel(ByteLevelPostProcessor)
    case template(TemplatePostProcessor)
    case bert(BertPostProcessor)
    case roberta(RobertaPostProcessor)
    case sequence(SequencePostProcessor)

    public func addedTokenCount(isPair: Bool) -> Int {
        switch self {
        case let .byteLevel(p): return p.addedTokenCount(isPair: isPair)
        case let .template(p): return p.addedTokenCount(isPair: isPair)
        case let .bert(p): return p.addedTokenCount(isPair: isPair)
        case let .roberta(p): return p.addedTokenCount(isPair: isPair)
        case let .sequence(p): return p.addedTokenCount(isPair: isPair)
        }
    }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case let .byteLevel(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        case let .template(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        case let .bert(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        case let .roberta(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        case let .sequence(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        }
    }

    /// How this post-processor lays out the ids of a single sequence when it only adds special
    /// tokens: nil stands for the sequence's ids, an array for special-token ids. nil when it
    /// does anything else (the fast id path then is not used).
    var singleSequenceLayout: [[TokenID]?]? {
        switch self {
        case .byteLevel:
            return [nil]
        case let .template(t):
            var pieces: [[TokenID]?] = []
            for piece in t.single {
                switch piece {
                case .sequence(index: 0, _): pieces.append(nil)
                case .sequence: continue
                case let .specialToken(name, _):
                    guard let token = t.specialTokens[name] else { continue }
                    pieces.append(token.ids)
                }
            }
            return pieces
        case let .bert(b):
            return [[b.classifier.id], nil, [b.separator.id]]
        case let .roberta(r):
            return [[r.classifier.id], nil, [r.separator.id]]
        case let .sequence(s):
            var layout: [[TokenID]?] = [nil]
            for p in s.processors {
                guard let inner = p.singleSequenceLayout else { return nil }
                layout = inner.flatMap { $0 == nil ? layout : [$0] }
            }
            return layout
        }
    }
}
