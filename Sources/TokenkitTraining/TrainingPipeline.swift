import Tokenkit

/// The parts of a tokenizer around the model that training keeps: the normalizer and
/// pre-tokenizer that cut the corpus into words (exactly as encoding will), and the decoder
/// written to the trained file. Stored as `tokenizer.json` fragments, so that the trained file
/// is the template with a model filled in.
public struct TrainingPipeline: Sendable {
    /// `tokenizer.json` values (compact JSON), or nil for none.
    public var normalizer: String?
    public var preTokenizer: String?
    public var decoder: String?
    /// Whether the model works on the byte-level alphabet (every word is covered by 256 characters).
    public var isByteLevel: Bool

    public init(normalizer: String? = nil, preTokenizer: String?, decoder: String?, isByteLevel: Bool) {
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.decoder = decoder
        self.isByteLevel = isByteLevel
    }

    /// Byte-level BPE: GPT-2's pre-tokenizer (`ByteLevel` with its own regex) when `pattern` is
    /// nil, else `Split` on `pattern` (isolated) followed by `ByteLevel` without regex, the
    /// Llama 3 / Qwen layout.
    public static func byteLevel(pattern: String? = nil) -> TrainingPipeline {
        var writer = JSONWriter()
        if let pattern {
            writer.beginObject()
            writer.appendKey("type"); writer.appendString("Sequence")
            writer.appendKey("pretokenizers")
            writer.beginArray()
            writer.beginObject()
            writer.appendKey("type"); writer.appendString("Split")
            writer.appendKey("pattern")
            writer.beginObject(); writer.appendKey("Regex"); writer.appendString(pattern); writer.endObject()
            writer.appendKey("behavior"); writer.appendString("Isolated")
            writer.appendKey("invert"); writer.appendBool(false)
            writer.endObject()
            appendByteLevel(&writer, useRegex: false)
            writer.endArray()
            writer.endObject()
        } else {
            appendByteLevel(&writer, useRegex: true)
        }
        var decoder = JSONWriter()
        appendByteLevel(&decoder, useRegex: true)
        return TrainingPipeline(preTokenizer: String(decoding: writer.bytes, as: UTF8.self),
                                decoder: String(decoding: decoder.bytes, as: UTF8.self), isByteLevel: true)
    }

    /// SuperBPE's second-stage split (Tokenkit's rule after Liu et al., 2025): GPT-2's pattern
    /// with runs of letters joined by single spaces, so that a piece may span words ("of the
    /// way"); numbers, punctuation runs, contractions and whitespace runs (trailing ones
    /// included) are still pieces of their own.
    public static let superwordPattern = #"'(?:[sdmt]|ll|ve|re)| ?\p{L}+(?: \p{L}+)*| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// Byte-level BPE that keeps each text it is given as one word (`ByteLevel` without regex):
    /// what encodes a SuperBPE second-stage word with the first stage's merges.
    public static var byteLevelWholeWords: TrainingPipeline {
        var writer = JSONWriter()
        appendByteLevel(&writer, useRegex: false)
        var decoder = JSONWriter()
        appendByteLevel(&decoder, useRegex: true)
        return TrainingPipeline(preTokenizer: String(decoding: writer.bytes, as: UTF8.self),
                                decoder: String(decoding: decoder.bytes, as: UTF8.self), isByteLevel: true)
    }

    /// SentencePiece-style BPE over Unicode characters, as `tokenizers`' SentencePieceBPETokenizer:
    /// NFKC, then `Metaspace` (spaces become "▁", one prepended), and the `Metaspace` decoder,
    /// after the `ByteFallback` decoder (byte tokens back to text) when the model has byte fallback.
    public static func metaspace(byteFallback: Bool = false) -> TrainingPipeline {
        let metaspace = #"{"type":"Metaspace","replacement":"▁","prepend_scheme":"always","split":true}"#
        let decoder = byteFallback ? #"{"type":"Sequence","decoders":[{"type":"ByteFallback"},"# + metaspace + "]}" : metaspace
        return TrainingPipeline(normalizer: #"{"type":"NFKC"}"#, preTokenizer: metaspace, decoder: decoder, isByteLevel: false)
    }

    /// BERT's pipeline, for WordPiece: `BertNormalizer` (clean text, Chinese characters
    /// isolated, accents stripped when lowercasing), `BertPreTokenizer`, `WordPiece` decoder.
    public static func bert(lowercase: Bool = true) -> TrainingPipeline {
        var normalizer = JSONWriter()
        normalizer.beginObject()
        normalizer.appendKey("type"); normalizer.appendString("BertNormalizer")
        normalizer.appendKey("clean_text"); normalizer.appendBool(true)
        normalizer.appendKey("handle_chinese_chars"); normalizer.appendBool(true)
        normalizer.appendKey("strip_accents"); normalizer.appendNull()
        normalizer.appendKey("lowercase"); normalizer.appendBool(lowercase)
        normalizer.endObject()
        return TrainingPipeline(normalizer: String(decoding: normalizer.bytes, as: UTF8.self),
                                preTokenizer: #"{"type":"BertPreTokenizer"}"#,
                                decoder: ###"{"type":"WordPiece","prefix":"##","cleanup":true}"###, isByteLevel: false)
    }

    private static func appendByteLevel(_ writer: inout JSONWriter, useRegex: Bool) {
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("ByteLevel")
        writer.appendKey("add_prefix_space"); writer.appendBool(false)
        writer.appendKey("trim_offsets"); writer.appendBool(true)
        writer.appendKey("use_regex"); writer.appendBool(useRegex)
        writer.endObject()
    }

    /// A `tokenizer.json` with this pipeline around `model` (a JSON object) and `addedTokens`.
    public func tokenizerJSON(model: [UInt8], addedTokens: [(id: UInt32, content: String)], postProcessor: String? = nil) -> [UInt8] {
        var writer = JSONWriter(capacity: model.count + 4096)
        func raw(_ json: String?) {
            guard let json else { writer.appendNull(); return }
            Array(json.utf8).withUnsafeBufferPointer { writer.appendRawValue($0) }
        }
        writer.beginTokenizerJSON()
        for (id, content) in addedTokens { writer.appendAddedToken(id: Int(id), content: content, special: true) }
        writer.endArray()
        writer.appendKey("normalizer"); raw(normalizer)
        writer.appendKey("pre_tokenizer"); raw(preTokenizer)
        writer.appendKey("post_processor"); raw(postProcessor)
        writer.appendKey("decoder"); raw(decoder)
        writer.appendKey("model")
        model.withUnsafeBufferPointer { writer.appendRawValue($0) }
        writer.endObject()
        writer.appendNewline()
        return writer.bytes
    }

    /// A tokenizer with this pipeline and an empty model, which cuts text into training words.
    public func wordSplitter() throws(TokenizerLoadingError) -> Tokenizer {
        let empty = Array(#"{"type":"BPE","vocab":{},"merges":[]}"#.utf8)
        return try Tokenizer.load(tokenizerJSON(model: empty, addedTokens: []), format: .tokenizerJSON, name: "<training pipeline>")
    }
}

extension JSONWriter {
    /// Opens a tokenizer.json as the trainers write it (no truncation or padding) up to its
    /// `added_tokens` array, which the caller fills and closes.
    mutating func beginTokenizerJSON() {
        beginObject()
        appendKey("version"); appendString("1.0")
        appendKey("truncation"); appendNull()
        appendKey("padding"); appendNull()
        appendKey("added_tokens")
        beginArray()
    }

    /// One entry of a tokenizer.json's `added_tokens`, as the trainers write them (matched on
    /// the raw text, neither stripping nor single-word).
    mutating func appendAddedToken(id: Int, content: String, special: Bool) {
        beginObject()
        appendKey("id"); appendInt(id)
        appendKey("content"); appendString(content)
        appendKey("single_word"); appendBool(false)
        appendKey("lstrip"); appendBool(false)
        appendKey("rstrip"); appendBool(false)
        appendKey("normalized"); appendBool(false)
        appendKey("special"); appendBool(special)
        endObject()
    }
}
