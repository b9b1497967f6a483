/// What Tokenkit knows about OpenAI's public tiktoken encodings: split patterns and
/// special tokens, and the SHA-256 of each rank file (tiktoken checks the same hashes).
enum TiktokenEncodings {
    static let r50kPattern = #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#
    static let cl100kPattern = #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
    static let o200kPattern = [
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
        #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#,
        #"\p{N}{1,3}"#,
        #" ?[^\s\p{L}\p{N}]+[\r\n/]*"#,
        #"\s*[\r\n]+"#,
        #"\s+(?!\S)"#,
        #"\s+"#,
    ].joined(separator: "|")

    struct Known {
        var name: String
        var sha256: String
        var configuration: TiktokenReader.Configuration
    }

    static let known: [Known] = [
        Known(name: "r50k_base", sha256: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
              configuration: .init(pattern: r50kPattern, specialTokens: [("<|endoftext|>", 50256)])),
        Known(name: "p50k_base", sha256: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
              configuration: .init(pattern: r50kPattern, specialTokens: [("<|endoftext|>", 50256)])),
        Known(name: "cl100k_base", sha256: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
              configuration: .init(pattern: cl100kPattern, specialTokens: [
                ("<|endoftext|>", 100257), ("<|fim_prefix|>", 100258), ("<|fim_middle|>", 100259),
                ("<|fim_suffix|>", 100260), ("<|endofprompt|>", 100276)])),
        Known(name: "o200k_base", sha256: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
              configuration: .init(pattern: o200kPattern, specialTokens: [("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)])),
    ]

    static func configuration(forSHA256 hash: String) -> Known? {
        known.first { $0.sha256 == hash }
    }

    static func configuration(named name: String) -> Known? {
        known.first { $0.name == name }
    }
}
