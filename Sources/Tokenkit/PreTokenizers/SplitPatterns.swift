/// The split patterns of well-known tokenizers, as their `tokenizer.json` files write them
/// (Oniguruma syntax), for building or training tokenizers of the same families.
public enum SplitPatterns {
    /// The names `pattern(named:)` knows.
    public static let names = ["gpt2", "cl100k", "o200k", "llama3", "qwen"]

    public static func pattern(named name: String) -> String? {
        switch name {
        case "gpt2": GGUFPreTokenizerPatterns.gpt2
        case "cl100k": GGUFPreTokenizerPatterns.cl100k
        case "o200k": GGUFPreTokenizerPatterns.o200k
        case "llama3": GGUFPreTokenizerPatterns.llama3
        case "qwen": GGUFPreTokenizerPatterns.qwen2
        default: nil
        }
    }
}
