// The `tokenizer.ggml.*` metadata of a GGUF file, checked and decoded: what
// llama.cpp's `llama_vocab::impl::load` reads, with llama.cpp's defaults per
// tokenizer model. Keys and types are those written by llama.cpp's
// convert_hf_to_gguf.py and gguf-py.

/// The token types of `tokenizer.ggml.token_type` (llama.cpp's `llama_token_type`).
public enum GGUFTokenType: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    case control = 3
    case userDefined = 4
    case unused = 5
    case byte = 6
}

/// The tokenizer metadata of a GGUF file.
public struct GGUFVocabulary: Sendable {
    /// `tokenizer.ggml.model`: llama, gpt2, bert, t5, rwkv, plamo2, …
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer name (BPE models).
    public var pre: String?
    /// Token texts, as stored (byte-level GPT-2 characters for gpt2 normal tokens).
    public var tokens: GGUFArray
    public var scores: [Float]
    public var types: [GGUFTokenType]
    /// `tokenizer.ggml.merges`: "left right" strings.
    public var merges: GGUFArray?
    public var bosID: TokenID?
    public var eosID: TokenID?
    public var unknownID: TokenID?
    public var separatorID: TokenID?
    public var paddingID: TokenID?
    public var maskID: TokenID?
    public var addBOS: Bool
    public var addEOS: Bool
    public var addSEP: Bool
    public var addSpacePrefix: Bool
    public var removeExtraWhitespaces: Bool
    public var precompiledCharsmap: [UInt8]?
    /// BERT: lowercase (and strip accents) before WordPiece.
    public var lowercase: Bool

    public var count: Int { tokens.count }

    static let prefix = "tokenizer.ggml."

    /// Reads and checks the tokenizer metadata.
    /// - Throws: `.malformed` naming the key and what was expected; `.unsupported` naming the model.
    public init(_ gguf: GGUFFile, file: String) throws(TokenizerLoadingError) {
        func malformed(_ message: String) -> TokenizerLoadingError { TokenizerLoadingError(.malformed, file: file, message) }
        func typeError(_ key: String, _ expected: String, _ value: GGUFValue) -> TokenizerLoadingError {
            malformed("metadata key \(key): expected \(expected), found \(value.typeDescription)")
        }
        func string(_ key: String) throws(TokenizerLoadingError) -> String? {
            guard let value = gguf[key] else { return nil }
            guard let s = value.string else { throw typeError(key, "a string", value) }
            return s
        }
        func bool(_ key: String) throws(TokenizerLoadingError) -> Bool? {
            guard let value = gguf[key] else { return nil }
            guard case let .bool(b) = value else { throw typeError(key, "a bool", value) }
            return b
        }
        func array(_ key: String, _ expected: String, _ accepts: [GGUFValueType]) throws(TokenizerLoadingError) -> GGUFArray? {
            guard let value = gguf[key] else { return nil }
            guard case let .array(a) = value, accepts.contains(a.elementType) else { throw typeError(key, expected, value) }
            return a
        }

        let modelKey = Self.prefix + "model"
        guard let model = try string(modelKey) else {
            throw malformed("metadata key \(modelKey) is missing: this GGUF file has no tokenizer")
        }
        self.model = model
        self.pre = try string(Self.prefix + "pre")

        let tokensKey = Self.prefix + "tokens"
        guard let tokens = try array(tokensKey, "an array of string", [.string]) else {
            throw malformed("metadata key \(tokensKey) is missing: the vocabulary is required")
        }
        guard tokens.count > 0 else { throw malformed("metadata key \(tokensKey): the vocabulary is empty") }
        guard tokens.count <= Int(Int32.max) else { throw malformed("metadata key \(tokensKey): \(tokens.count) tokens is more than token ids can hold") }
        self.tokens = tokens
        let n = tokens.count

        let scoresKey = Self.prefix + "scores"
        if let a = try array(scoresKey, "an array of float32", [.float32, .int32]) {
            guard a.count >= n else { throw malformed("metadata key \(scoresKey): \(a.count) scores for \(n) tokens") }
            if a.elementType == .float32 {
                scores = a.raw.withUnsafeBytes { b in
                    (0..<n).map { Float(bitPattern: UInt32(littleEndian: b.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
                }
            } else {
                scores = a.int32s()!.prefix(n).map { Float($0) }
            }
        } else {
            scores = [Float](repeating: 0, count: n)
        }

        let typesKey = Self.prefix + "token_type"
        if let a = try array(typesKey, "an array of int32", [.int32]) {
            guard a.count >= n else { throw malformed("metadata key \(typesKey): \(a.count) token types for \(n) tokens") }
            types = a.int32s()!.prefix(n).map { GGUFTokenType(rawValue: $0) ?? .undefined }
        } else {
            types = [GGUFTokenType](repeating: .normal, count: n)
        }

        merges = try array(Self.prefix + "merges", "an array of string", [.string])

        // llama.cpp's defaults per model type.
        var defaults: (bos: TokenID?, eos: TokenID?, unk: TokenID?, sep: TokenID?, pad: TokenID?, mask: TokenID?)
        var addBOS = false, addEOS = false, addSEP = false, addSpacePrefix = false
        switch model {
        case "llama":
            defaults = (1, 2, 0, nil, nil, nil)
            addBOS = true
            addSpacePrefix = true
        case "bert":
            defaults = (101, nil, 100, 102, 0, 103)
            addBOS = true
            addSEP = true
        case "gpt2":
            defaults = (11, 11, nil, nil, nil, nil)
        case "t5":
            defaults = (nil, 1, 2, nil, 0, nil)
            addEOS = true
            addSpacePrefix = true
        default:
            defaults = (nil, nil, nil, nil, nil, nil)
        }
        if model == "gpt2", let pre = pre, GGUFPreTokenizerPatterns.addsBOS(pre) { addBOS = true }

        func id(_ name: String, _ fallback: TokenID?) throws(TokenizerLoadingError) -> TokenID? {
            let key = Self.prefix + name
            // A default out of the vocabulary is disabled, as llama.cpp does.
            let usable = fallback.flatMap { Int($0) < n ? $0 : nil }
            guard let value = gguf[key] else { return usable }
            guard let v = value.integer else { throw typeError(key, "a token id (uint32)", value) }
            // llama.cpp ignores an out-of-range id and keeps the default.
            guard v >= 0, v < Int64(n) else { return usable }
            return TokenID(v)
        }
        bosID = try id("bos_token_id", defaults.bos)
        eosID = try id("eos_token_id", defaults.eos)
        unknownID = try id("unknown_token_id", defaults.unk)
        separatorID = try id("seperator_token_id", defaults.sep)
        paddingID = try id("padding_token_id", defaults.pad)
        maskID = try id("mask_token_id", defaults.mask)

        self.addBOS = try bool(Self.prefix + "add_bos_token") ?? addBOS
        self.addEOS = try bool(Self.prefix + "add_eos_token") ?? addEOS
        self.addSEP = try bool(Self.prefix + "add_sep_token") ?? addSEP
        self.addSpacePrefix = try bool(Self.prefix + "add_space_prefix") ?? addSpacePrefix
        self.removeExtraWhitespaces = try bool(Self.prefix + "remove_extra_whitespaces") ?? false
        self.lowercase = try bool(Self.prefix + "normalizer.lowercase") ?? true

        let charsmapKey = Self.prefix + "precompiled_charsmap"
        if let a = try array(charsmapKey, "an array of uint8", [.uint8, .int8]) {
            let bytes = a.bytes()!
            guard bytes.count >= 4 else { throw malformed("metadata key \(charsmapKey): \(bytes.count) bytes, too short for its header") }
            precompiledCharsmap = bytes
        } else {
            precompiledCharsmap = nil
        }

        func check(_ flag: Bool, _ flagName: String, _ id: TokenID?, _ idName: String) throws(TokenizerLoadingError) {
            if flag && id == nil {
                throw malformed("metadata key \(Self.prefix)\(flagName) is true, but \(Self.prefix)\(idName) is not set")
            }
        }
        try check(self.addBOS, "add_bos_token", bosID, "bos_token_id")
        try check(self.addEOS, "add_eos_token", eosID, "eos_token_id")
        if model == "bert" { try check(self.addSEP, "add_sep_token", separatorID, "seperator_token_id") }
    }

    /// The bytes of token `id` as stored.
    func tokenBytes(_ id: Int) -> ArraySlice<UInt8> { tokens.stringBytes(id) }

    /// Tokens that llama.cpp matches in the text before tokenizing (its special-token cache):
    /// control, user-defined and unknown tokens.
    var specialTokenIDs: [Int] {
        (0..<count).filter { types[$0] == .control || types[$0] == .userDefined || types[$0] == .unknown }
    }
}
