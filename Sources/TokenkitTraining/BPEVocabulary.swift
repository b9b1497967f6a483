import Tokenkit

/// A trained BPE model: token strings by id and the merges in the order they were learned.
public struct BPEVocabulary: Sendable {
    /// UTF-8 of each token; the index is the id.
    public var tokens: [[UInt8]]
    /// Pairs of ids in learning order; a pair can appear twice (see `BPETrainer`).
    public var merges: [(UInt32, UInt32)]
    public var specialTokens: [String]
    public var continuingSubwordPrefix: String?
    public var endOfWordSuffix: String?

    /// The merges as the trained model applies them: each pair once, at the rank of its last
    /// occurrence (the reference builds a map from pair to rank, so the later rank wins).
    public var mergeRanks: [(UInt32, UInt32)] {
        var last: [UInt64: Int] = [:]
        for (rank, (a, b)) in merges.enumerated() { last[UInt64(a) << 32 | UInt64(b)] = rank }
        return merges.enumerated().filter { last[UInt64($0.element.0) << 32 | UInt64($0.element.1)] == $0.offset }.map(\.element)
    }

    public func token(_ id: UInt32) -> String { String(decoding: tokens[Int(id)], as: UTF8.self) }

    /// The `model` object of a `tokenizer.json`.
    public func modelJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: tokens.count * 24)
        func optionalString(_ value: String?) {
            if let value { writer.appendString(value) } else { writer.appendNull() }
        }
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("BPE")
        writer.appendKey("dropout"); writer.appendNull()
        writer.appendKey("unk_token"); writer.appendNull()
        writer.appendKey("continuing_subword_prefix"); optionalString(continuingSubwordPrefix)
        writer.appendKey("end_of_word_suffix"); optionalString(endOfWordSuffix)
        writer.appendKey("fuse_unk"); writer.appendBool(false)
        writer.appendKey("byte_fallback"); writer.appendBool(false)
        writer.appendKey("ignore_merges"); writer.appendBool(false)
        writer.appendKey("vocab")
        writer.beginObject()
        for (id, token) in tokens.enumerated() {
            writer.appendKey(String(decoding: token, as: UTF8.self))
            writer.appendInt(id)
        }
        writer.endObject()
        writer.appendKey("merges")
        writer.beginArray()
        for (a, b) in mergeRanks {
            writer.beginArray()
            writer.appendString(token(a))
            writer.appendString(token(b))
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// A complete `tokenizer.json` with `pipeline` around this model; special tokens are added tokens.
    public func tokenizerJSON(pipeline: TrainingPipeline) -> [UInt8] {
        let added = specialTokens.compactMap { content in
            tokens.firstIndex(of: Array(content.utf8)).map { (id: UInt32($0), content: content) }
        }
        return pipeline.tokenizerJSON(model: modelJSON(), addedTokens: added)
    }
}
