/// Every post-processor Tokenkit implements; mirrors tokenizer.json's `post_processor` field.
public indirect enum PostProcessorComponent: PostProcessor {
    case byteLevel(ByteLevelPostProcessor)
    case template(TemplatePostProcessor)

    public func addedTokenCount(isPair: Bool) -> Int {
        switch self {
        case let .byteLevel(p): return p.addedTokenCount(isPair: isPair)
        case let .template(p): return p.addedTokenCount(isPair: isPair)
        }
    }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        switch self {
        case let .byteLevel(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        case let .template(p): return p.process(encodings, addSpecialTokens: addSpecialTokens)
        }
    }
}
