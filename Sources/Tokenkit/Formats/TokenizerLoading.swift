import CTokenkitSupport
import Foundation

extension Tokenizer {
    /// The file formats Tokenkit reads.
    public enum FileFormat: String, Sendable, CaseIterable {
        /// Hugging Face `tokenizer.json`.
        case tokenizerJSON = "tokenizer.json"
        /// tiktoken rank file (`.tiktoken`), optionally with a `NAME.tiktoken.json` sidecar.
        case tiktoken
        /// SentencePiece model protobuf (`.model`).
        case sentencePiece = "sentencepiece"
        /// GGUF model file (its tokenizer metadata).
        case gguf
    }

    /// Loads a tokenizer file, detecting its format from its name and content.
    ///
    /// - Parameters:
    ///   - path: a `tokenizer.json`, `.tiktoken`, SentencePiece `.model` or `.gguf` file.
    ///   - pattern: for `.tiktoken` files without a sidecar that are not a known public encoding,
    ///     the split pattern to use (fancy-regex syntax, as tiktoken's `pat_str`).
    ///   - specialTokens: special tokens for such files.
    /// - Throws: `TokenizerLoadingError` naming the file, the field and what was expected.
    public convenience init(contentsOf path: String, pattern: String? = nil, specialTokens: [String: TokenID]? = nil) throws(TokenizerLoadingError) {
        if path.lowercased().hasSuffix(".gguf") {
            // Memory-mapped: a model file can be gigabytes, of which only the metadata is read.
            self.init(copying: try Self.loadGGUF(path: path))
            return
        }
        let loaded: Tokenizer
        if path.lowercased().hasSuffix(".json"), let storage = try Self.mappedJSONFile(path) {
            loaded = try TokenizerJSONReader(file: path).read(storage)
        } else {
            let bytes = try Self.readFile(path)
            switch Self.detectFormat(path: path, bytes: bytes) {
            case .tokenizerJSON:
                loaded = try TokenizerJSONReader(file: path).read(bytes)
            case .tiktoken:
                loaded = try Self.loadTiktoken(path: path, bytes: bytes, pattern: pattern, specialTokens: specialTokens)
            case .gguf:
                loaded = try Self.loadGGUF(bytes: bytes, name: path)
            case .sentencePiece:
                loaded = try SentencePieceReader(file: path).read(bytes)
            }
        }
        self.init(copying: loaded)
        Self.returnFreedMemory()
    }

    /// Gives the memory freed after parsing (the file, its JSON tree) back to the system: glibc
    /// keeps large freed blocks in the heap otherwise, and they stay resident.
    private static func returnFreedMemory() {
        _ = tokenkit_return_freed_memory()
    }

    /// Loads a tokenizer from the bytes of a file in a known format.
    public static func load(_ bytes: [UInt8], format: FileFormat, name: String = "<memory>", pattern: String? = nil,
                            specialTokens: [String: TokenID]? = nil) throws(TokenizerLoadingError) -> Tokenizer {
        switch format {
        case .tokenizerJSON: return try TokenizerJSONReader(file: name).read(bytes)
        case .tiktoken: return try loadTiktoken(path: name, bytes: bytes, pattern: pattern, specialTokens: specialTokens, sidecar: false)
        case .gguf: return try loadGGUF(bytes: bytes, name: name)
        case .sentencePiece: return try SentencePieceReader(file: name).read(bytes)
        }
    }

    convenience init(copying other: Tokenizer) {
        self.init(format: other.format, normalizer: other.normalizer, preTokenizer: other.preTokenizer, model: other.model,
                  postProcessor: other.postProcessor, decoder: other.decoder, addedVocabulary: other.addedVocabulary,
                  truncation: other.truncation, padding: other.padding, segmenter: other.segmenter, reusingFastPathsOf: other)
    }

    static func readFile(_ path: String) throws(TokenizerLoadingError) -> [UInt8] {
        try checkReadable(path)
        do {
            return try JSONDocument.readFile(path)
        } catch {
            throw TokenizerLoadingError(.unreadable, file: path, "cannot be read (\(error.message))")
        }
    }

    /// A `.json` file's text, mapped rather than read (the scanner then reads the page cache in
    /// place: 27 MB for o200k); nil when the text is a GGUF file's, which goes by its magic
    /// number whatever its name (`detectFormat`).
    static func mappedJSONFile(_ path: String) throws(TokenizerLoadingError) -> JSONStorage? {
        try checkReadable(path)
        let storage: JSONStorage
        do { storage = try jsonReadFile(path, allowMapping: true).storage } catch {
            throw TokenizerLoadingError(.unreadable, file: path, "cannot be read (\(error.message))")
        }
        return hasGGUFMagic(storage.text) ? nil : storage
    }

    static func hasGGUFMagic<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.starts(with: Array("GGUF".utf8))
    }

    /// Throws the errors of a path that names no file, or a directory.
    static func checkReadable(_ path: String) throws(TokenizerLoadingError) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            throw TokenizerLoadingError(.unreadable, file: path, "no such file")
        }
        if isDirectory.boolValue { throw TokenizerLoadingError(.unreadable, file: path, "is a directory") }
    }

    static func detectFormat(path: String, bytes: [UInt8]) -> FileFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".tiktoken") { return .tiktoken }
        if lower.hasSuffix(".gguf") || hasGGUFMagic(bytes) { return .gguf }
        if lower.hasSuffix(".model") { return .sentencePiece }
        if lower.hasSuffix(".json") { return .tokenizerJSON }
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == UInt8(ascii: "{") {
            return .tokenizerJSON
        }
        // Protobuf SentencePiece models start with field 1 (pieces), wire type 2.
        if bytes.first == 0x0A { return .sentencePiece }
        return .tiktoken
    }

    static func loadTiktoken(path: String, bytes: [UInt8], pattern: String?, specialTokens: [String: TokenID]?,
                             sidecar useSidecar: Bool = true) throws(TokenizerLoadingError) -> Tokenizer {
        let reader = TiktokenReader(file: path)
        let ranks = try reader.readRanks(bytes)
        var configuration: TiktokenReader.Configuration?
        if useSidecar, let sidecar = try readSidecar(path + ".json") {
            configuration = sidecar
        } else if pattern == nil {
            let hash = bytes.withUnsafeBytes { SHA256.hexDigest($0) }
            configuration = TiktokenEncodings.configuration(forSHA256: hash)?.configuration
        }
        if let pattern {
            configuration = TiktokenReader.Configuration(pattern: pattern, specialTokens: configuration?.specialTokens ?? [])
        }
        if let specialTokens {
            configuration?.specialTokens = specialTokens.sorted { $0.value < $1.value }.map { ($0.key, $0.value) }
        }
        guard let configuration else {
            throw TokenizerLoadingError(.malformed, file: path, "unknown tiktoken encoding: no sidecar \(path).json with its split pattern and special tokens, and not a known public encoding; pass the split pattern (--pattern)")
        }
        return try TiktokenReader.makeTokenizer(ranks: ranks, configuration: configuration, file: path)
    }

    /// Reads `NAME.tiktoken.json` (`{"pattern": "...", "special_tokens": {"<|endoftext|>": 100257}}`) if it exists.
    static func readSidecar(_ path: String) throws(TokenizerLoadingError) -> TiktokenReader.Configuration? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try readFile(path)
        let reader = TokenizerJSONReader(file: path)
        let document: JSONDocument
        do { document = try JSONDocument(bytes: bytes) } catch { throw reader.malformed(error) }
        let root = document.root
        let pattern = try reader.requireString(root, "pattern", "")
        var specials: [(String, TokenID)] = []
        if let map = reader.optional(root, "special_tokens") {
            _ = try reader.wrap { () throws(JSONError) in try map.expectObject(path: "special_tokens") }
            for (key, value) in map.members {
                let name = key.string ?? ""
                guard let id = value.int, id >= 0, id <= Int(UInt32.max) else {
                    throw reader.malformed(value, "field special_tokens.\(name): expected a token id")
                }
                specials.append((name, TokenID(id)))
            }
        }
        return TiktokenReader.Configuration(pattern: pattern, specialTokens: specials)
    }
}
