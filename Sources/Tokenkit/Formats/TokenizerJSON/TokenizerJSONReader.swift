/// Reads Hugging Face `tokenizer.json` files into a `Tokenizer`.
///
/// The file is decoded into Tokenkit's components stage by stage; every error
/// names the file, the JSON path of the field and what was expected. A valid
/// component that Tokenkit does not implement is reported as `.unsupported`.
struct TokenizerJSONReader {
    let file: String

    // MARK: - Errors and typed access

    func malformed(_ error: JSONError) -> TokenizerLoadingError {
        TokenizerLoadingError(.malformed, file: file, error.description)
    }

    func malformed(_ value: JSONValue, _ message: String) -> TokenizerLoadingError {
        malformed(value.error(message))
    }

    func unsupported(_ what: String) -> TokenizerLoadingError {
        TokenizerLoadingError(.unsupported, file: file, what)
    }

    func wrap<T>(_ body: () throws(JSONError) -> T) throws(TokenizerLoadingError) -> T {
        do { return try body() } catch { throw malformed(error) }
    }

    /// A member that may be missing or null.
    func optional(_ object: JSONValue, _ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func require(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> JSONValue {
        try wrap { () throws(JSONError) in try object.require(key, path: path) }
    }

    func bool(_ object: JSONValue, _ key: String, _ path: String, default value: Bool) throws(TokenizerLoadingError) -> Bool {
        guard let v = optional(object, key) else { return value }
        return try wrap { () throws(JSONError) in try v.expectBool(path: JSONValue.joinPath(path, key)) }
    }

    func string(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> String? {
        guard let v = optional(object, key) else { return nil }
        return try wrap { () throws(JSONError) in try v.expectString(path: JSONValue.joinPath(path, key)) }
    }

    func requireString(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> String {
        try wrap { () throws(JSONError) in try object.requireString(key, path: path) }
    }

    func int(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> Int? {
        guard let v = optional(object, key) else { return nil }
        let n = try wrap { () throws(JSONError) in try v.expectInt(path: JSONValue.joinPath(path, key)) }
        guard n >= 0 else { throw malformed(v, "\(JSONValue.describePath(JSONValue.joinPath(path, key))): expected a non-negative integer, found \(n)") }
        return n
    }

    func requireInt(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> Int {
        guard let n = try int(object, key, path) else {
            throw malformed(object, "\(JSONValue.describePath(path)): missing field \(key) (expected an integer)")
        }
        return n
    }

    func array(_ object: JSONValue, _ key: String, _ path: String) throws(TokenizerLoadingError) -> JSONValue {
        let v = try require(object, key, path)
        return try wrap { () throws(JSONError) in try v.expectArray(path: JSONValue.joinPath(path, key)) }
    }

    func type(of component: JSONValue, _ path: String) throws(TokenizerLoadingError) -> String {
        _ = try wrap { () throws(JSONError) in try component.expectObject(path: path) }
        return try requireString(component, "type", path)
    }

    // MARK: - Whole file

    func read(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> Tokenizer {
        try read(JSONStorage(owning: bytes))
    }

    /// Reads a file's text held by `storage` (a mapping, from `jsonReadFile`), not parsed yet.
    func read(_ storage: JSONStorage) throws(TokenizerLoadingError) -> Tokenizer {
        do { try storage.parse(maxDepth: JSONDocument.defaultMaxDepth) } catch { throw malformed(error) }
        let document = JSONDocument(storage: storage)
        let root = document.root
        _ = try wrap { () throws(JSONError) in try root.expectObject(path: "") }
        if let version = try string(root, "version", ""), version != "1.0" {
            throw unsupported("tokenizer.json version \(version.debugDescription) (expected \"1.0\")")
        }
        let normalizer = try optional(root, "normalizer").map { v throws(TokenizerLoadingError) in try readNormalizer(v, "normalizer") }
        let preTokenizer = try optional(root, "pre_tokenizer").map { v throws(TokenizerLoadingError) in try readPreTokenizer(v, "pre_tokenizer") }
        let byteLevelText = (preTokenizer?.producesByteLevelText ?? false) || (normalizer?.producesByteLevelText ?? false)
        let model = try readModel(try require(root, "model", ""), "model", byteLevelText: byteLevelText)
        let postProcessor = try optional(root, "post_processor").map { v throws(TokenizerLoadingError) in try readPostProcessor(v, "post_processor") }
        let decoder = try optional(root, "decoder").map { v throws(TokenizerLoadingError) in try readDecoder(v, "decoder") }
        let truncation = try optional(root, "truncation").map { v throws(TokenizerLoadingError) in try readTruncation(v, "truncation") }
        let padding = try optional(root, "padding").map { v throws(TokenizerLoadingError) in try readPadding(v, "padding") }
        var added = AddedVocabulary()
        if let list = optional(root, "added_tokens") {
            let tokens = try readAddedTokens(list, "added_tokens")
            added.add(tokens, modelID: { model.id(forToken: $0) }, modelVocabularySize: model.vocabularySize, normalizer: normalizer)
        }
        return Tokenizer(format: .huggingFace, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         postProcessor: postProcessor, decoder: decoder, addedVocabulary: added,
                         truncation: truncation, padding: padding)
    }

    func readAddedTokens(_ list: JSONValue, _ path: String) throws(TokenizerLoadingError) -> [AddedToken] {
        _ = try wrap { () throws(JSONError) in try list.expectArray(path: path) }
        var tokens: [AddedToken] = []
        for (i, entry) in list.elements.enumerated() {
            let p = "\(path)[\(i)]"
            _ = try wrap { () throws(JSONError) in try entry.expectObject(path: p) }
            let content = try requireString(entry, "content", p)
            let special = try bool(entry, "special", p, default: false)
            tokens.append(AddedToken(
                content, special: special,
                singleWord: try bool(entry, "single_word", p, default: false),
                leftStrip: try bool(entry, "lstrip", p, default: false),
                rightStrip: try bool(entry, "rstrip", p, default: false),
                normalized: try bool(entry, "normalized", p, default: !special)))
        }
        return tokens
    }

    // MARK: - Truncation and padding

    func readTruncation(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> TruncationParameters {
        let maximumLength = try requireInt(v, "max_length", path)
        let strategyName = try string(v, "strategy", path) ?? "LongestFirst"
        guard let strategy = TruncationParameters.Strategy(rawValue: strategyName) else {
            throw malformed(v, "field \(path).strategy: expected LongestFirst, OnlyFirst or OnlySecond, found \(strategyName.debugDescription)")
        }
        let directionName = try string(v, "direction", path) ?? "Right"
        guard let direction = TruncationDirection(rawValue: directionName) else {
            throw malformed(v, "field \(path).direction: expected Left or Right, found \(directionName.debugDescription)")
        }
        return TruncationParameters(maximumLength: maximumLength, strategy: strategy,
                                    stride: try int(v, "stride", path) ?? 0, direction: direction)
    }

    func readPadding(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> PaddingParameters {
        var parameters = PaddingParameters()
        if let s = optional(v, "strategy") {
            if s.stringEquals("BatchLongest") {
                parameters.strategy = .batchLongest
            } else if let fixed = s["Fixed"], let n = fixed.int, n >= 0 {
                parameters.strategy = .fixed(n)
            } else {
                throw malformed(s, "field \(path).strategy: expected \"BatchLongest\" or {\"Fixed\": length}")
            }
        }
        let directionName = try string(v, "direction", path) ?? "Right"
        guard let direction = PaddingDirection(rawValue: directionName) else {
            throw malformed(v, "field \(path).direction: expected Left or Right, found \(directionName.debugDescription)")
        }
        parameters.direction = direction
        parameters.padToMultipleOf = try int(v, "pad_to_multiple_of", path)
        parameters.padID = TokenID(try int(v, "pad_id", path) ?? 0)
        parameters.padTypeID = UInt32(try int(v, "pad_type_id", path) ?? 0)
        parameters.padToken = try string(v, "pad_token", path) ?? "[PAD]"
        return parameters
    }
}
