// The split patterns behind `tokenizer.ggml.pre`, the pre-tokenizer name that
// convert_hf_to_gguf.py records for byte-level BPE ("gpt2") vocabularies.
// deepseek-llm is left out: its letter class, as stored, has ranges that do not survive
// Unicode normalization of the source text, so the original cannot be recovered here.
//
// llama.cpp's `llm_tokenizer_bpe` applies, for each name, a list of regexes one
// after the other, keeping both the matches and the text between them (the
// semantics of a sequence of `Split(…, Isolated)` pre-tokenizers). Where
// llama.cpp rewrote a pattern for its own regex engine (e.g. `(?i:'s|…)` as
// `'[sS]|…`), the pattern here is the original one of the Hugging Face
// tokenizer.json the GGUF file was converted from, applied with Oniguruma
// semantics like `tokenizers` does: that tokenizer is the reference.

enum GGUFPreTokenizerPatterns {
    struct Entry {
        var patterns: [String]
        /// llama.cpp looks a whole piece up before merging (tokenizers' `ignore_merges`).
        var ignoreMerges = false
        /// The tokenizer.json has an NFC normalizer (Qwen2); llama.cpp does not normalize.
        var nfc = false
    }

    static let gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let cl100k = #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s+"#
    static let qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen35 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let o200k = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let tekken = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let starcoder = [#"\p{N}"#, gpt2]
    static let deepseekCoder = [#"[\r\n]"#, #"\s?\p{L}+"#, #"\s?\p{P}+"#, #"[一-龥ࠀ-一가-퟿]+"#, #"\p{N}"#]
    static let deepseekV3 = [
        #"\p{N}{1,3}"#,
        #"[一-龥぀-ゟ゠-ヿ]+"#,
        ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##,
    ]
    static let falcon = [#"[\p{P}\$\+<=>\^~\|`]+"#, gpt2, #"[0-9][0-9][0-9]"#]
    static let poro = [#" ?[^(\s|.,!?…。，、।۔،)]+"#]
    static let defaultPatterns = [#"[\p{P}\$\+<=>\^~\|]+"#, gpt2, #"\p{N}+"#, #"[0-9][0-9][0-9]"#]
    static let chameleon = [
        #"<sentinel:[0-9]+>"#,
        #"(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z"#,
        #"([\t\n]|    |  )"#,
        #"\p{N}"#,
        #"[\p{P}!-/:-@\[-`{-~]"#,
        gpt2,
    ]

    /// The entry for a pre-tokenizer name, or nil when Tokenkit does not know it (or it needs
    /// llama.cpp's custom code, e.g. kimi-k2 and afmoe).
    static func entry(_ name: String) -> Entry? {
        switch name {
        case "default":
            return Entry(patterns: defaultPatterns)
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            return Entry(patterns: [llama3], ignoreMerges: true)
        case "smaug-bpe", "glm4", "chatglm-bpe":
            return Entry(patterns: [llama3])
        case "dbrx":
            // DBRX's tokenizer is tiktoken's cl100k_base (llama.cpp approximates it with llama3's).
            return Entry(patterns: [cl100k])
        case "deepseek-coder": return Entry(patterns: deepseekCoder)
        case "deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4": return Entry(patterns: deepseekV3)
        case "falcon": return Entry(patterns: falcon)
        case "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2":
            return Entry(patterns: starcoder)
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
             "modern-bert", "mpt", "olmo", "jais", "trillion", "granite-docling", "exaone4", "jina-v1-en",
             "jina-v2-code", "roberta-bpe":
            return Entry(patterns: [gpt2])
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez":
            return Entry(patterns: [qwen2], nfc: true)
        case "stablelm2", "hunyuan", "solar-open", "grok-2":
            return Entry(patterns: [qwen2])
        case "qwen35": return Entry(patterns: [qwen35], nfc: true)
        case "poro-chat", "bloom", "gpt3-finnish": return Entry(patterns: poro)
        case "viking": return Entry(patterns: poro + [#"\p{N}"#])
        case "tekken": return Entry(patterns: [tekken], ignoreMerges: true)
        case "chameleon": return Entry(patterns: chameleon)
        case "gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2": return Entry(patterns: [o200k])
        case "tiny_aya", "cohere2moe": return Entry(patterns: [#"\d{1,3}(?=(?:\d{3})*\b)"#, o200k])
        case "bailingmoe", "bailingmoe2", "llada-moe":
            return Entry(patterns: [#"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"#])
        case "seed-coder":
            return Entry(patterns: [#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+"#])
        case "ufakzeka":
            return Entry(patterns: [#"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#])
        case "exaone-moe":
            return Entry(patterns: [#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?|\s*[\r\n]|\s+(?!\S)|\s+"#])
        case "minicpm5":
            return Entry(patterns: [#"\p{N}{1,3}"#, #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#], ignoreMerges: true)
        case "jais-2":
            return Entry(patterns: [#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S)|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1}"#])
        default:
            return nil
        }
    }

    /// Pre-tokenizer names for which llama.cpp adds BOS by default.
    static func addsBOS(_ name: String) -> Bool {
        switch name {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano",
             "tekken", "chameleon":
            return true
        default:
            return false
        }
    }
}
