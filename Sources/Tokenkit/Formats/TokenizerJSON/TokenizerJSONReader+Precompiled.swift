// tokenizer.json `{"type": "Precompiled", "precompiled_charsmap": "<base64>"}`.

extension TokenizerJSONReader {
    func readPrecompiled(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> PrecompiledNormalizer {
        let field = JSONValue.joinPath(path, "precompiled_charsmap")
        // A missing, null or empty charsmap is accepted as "no rules" (tokenizers itself refuses it).
        guard let value = optional(v, "precompiled_charsmap") else { return PrecompiledNormalizer(charsMap: nil) }
        var blob: [UInt8] = []
        let decoded = value.withStringBytes { Base64.decode($0, into: &blob) }
        guard let decoded else {
            throw malformed(value, "\(JSONValue.describePath(field)): expected a base64 string, found \(value.kind)")
        }
        guard decoded else { throw malformed(value, "\(JSONValue.describePath(field)): invalid base64") }
        do {
            return try PrecompiledNormalizer(blob: blob)
        } catch {
            throw malformed(value, "\(JSONValue.describePath(field)): cannot parse the charsmap: \(error.description)")
        }
    }
}
