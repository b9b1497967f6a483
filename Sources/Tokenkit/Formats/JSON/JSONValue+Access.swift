/// Typed access with errors that name the field path, for loaders:
///
///     let model = try root.require("model", path: "")              // path of root is ""
///     let vocab = try model.require("vocab", path: "model").expectObject(path: "model.vocab")
///     // → "line 3, column 14: field model.vocab: expected an object, found array"
///
/// `path` is always the dotted path of the value the method is called on (for
/// `expect…`) or of the object holding `key` (for `require…`); "" is the root.
extension JSONValue {
    /// An error located at this value.
    public func error(_ message: String) -> JSONError {
        storage.withText { JSONError.at(byteOffset, in: $0, message) }
    }

    /// "field PATH: expected EXPECTED, found KIND", located at this value.
    public func typeMismatch(expected: String, path: String) -> JSONError {
        error("\(JSONValue.describePath(path)): expected \(expected), found \(foundDescription)")
    }

    /// "field a.b" / "top-level value".
    public static func describePath(_ path: String) -> String {
        path.isEmpty ? "top-level value" : "field \(path)"
    }

    /// `path` + "." + `key` (just `key` at the root).
    public static func joinPath(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    /// The kind, with the text of short scalars: `number 1.5`, `string "abc"`, `array`.
    var foundDescription: String {
        switch node.kind {
        case JSONNode.kindNumber, JSONNode.kindString: return "\(kind) \(snippet)"
        case JSONNode.kindTrue: return "true"
        case JSONNode.kindFalse: return "false"
        default: return kind.description
        }
    }

    /// The source text of a scalar (strings with their quotes), cut at 40 bytes.
    var snippet: String {
        let node = self.node
        return storage.withText { buffer in
            let start = Int(node.start)
            let end = node.isContainer ? start + 1 : Int(node.payload) + (node.kind == JSONNode.kindString ? 1 : 0)
            var cut = min(end, start + 40)
            while cut < end && buffer[cut] & 0xC0 == 0x80 { cut += 1 }  // do not split a UTF-8 sequence
            return String(decoding: buffer[start..<cut], as: UTF8.self) + (cut < end ? "…" : "")
        }
    }

    public func expectObject(path: String) throws(JSONError) -> JSONValue {
        guard isObject else { throw typeMismatch(expected: "an object", path: path) }
        return self
    }

    public func expectArray(path: String) throws(JSONError) -> JSONValue {
        guard isArray else { throw typeMismatch(expected: "an array", path: path) }
        return self
    }

    public func expectString(path: String) throws(JSONError) -> String {
        guard let value = string else { throw typeMismatch(expected: "a string", path: path) }
        return value
    }

    /// An integer literal that fits in `Int` (see `int`).
    public func expectInt(path: String) throws(JSONError) -> Int {
        if let value = int { return value }
        if isNumber && node.info & JSONNode.flagEscapedOrNonInteger == 0 {
            throw error("\(JSONValue.describePath(path)): integer \(snippet) out of range")
        }
        throw typeMismatch(expected: "an integer", path: path)
    }

    public func expectDouble(path: String) throws(JSONError) -> Double {
        guard let value = double else { throw typeMismatch(expected: "a number", path: path) }
        return value
    }

    public func expectBool(path: String) throws(JSONError) -> Bool {
        guard let value = bool else { throw typeMismatch(expected: "true or false", path: path) }
        return value
    }

    /// The member `key` of this object (which is at `path`); throws if this is
    /// not an object or the member is missing.
    public func require(_ key: String, path: String) throws(JSONError) -> JSONValue {
        guard isObject else { throw typeMismatch(expected: "an object", path: path) }
        guard let value = self[key] else {
            throw error("\(JSONValue.describePath(path)): missing required member \"\(key)\"")
        }
        return value
    }

    /// The member `key`, or nil if it is missing or null (or this is not an object).
    public func optional(_ key: String) -> JSONValue? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }

    public func requireString(_ key: String, path: String) throws(JSONError) -> String {
        try require(key, path: path).expectString(path: JSONValue.joinPath(path, key))
    }

    public func requireInt(_ key: String, path: String) throws(JSONError) -> Int {
        try require(key, path: path).expectInt(path: JSONValue.joinPath(path, key))
    }

    public func requireBool(_ key: String, path: String) throws(JSONError) -> Bool {
        try require(key, path: path).expectBool(path: JSONValue.joinPath(path, key))
    }
}
