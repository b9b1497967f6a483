import Tokenkit

/// A trained Unigram model: its pieces by id (special pieces included) with their scores, and
/// the settings it was trained with, written as a SentencePiece `.model` or a `tokenizer.json`.
public struct UnigramVocabulary: Sendable {
    /// A piece with its log probability (0 for special pieces) and type.
    public typealias Piece = SentencePieceModel.Piece

    /// Pieces by id.
    public var pieces: [Piece]
    /// The settings recorded in the written files.
    public var trainer: UnigramTrainer

    public init(pieces: [Piece], trainer: UnigramTrainer) {
        self.pieces = pieces
        self.trainer = trainer
    }

    public var unknownID: Int { pieces.firstIndex { $0.type == .unknown } ?? 0 }

    /// A SentencePiece `.model` file (`ModelProto`, type UNIGRAM) that `sentencepiece` loads.
    public func sentencePieceModel() -> [UInt8] {
        var settings = SentencePieceModelFile.TrainerSettings()
        settings.modelType = .unigram
        settings.vocabularySize = pieces.count
        settings.characterCoverage = Float(trainer.characterCoverage)
        settings.seedSentencePieceSize = trainer.seedSentencePieceSize
        settings.shrinkingFactor = Float(trainer.shrinkingFactor)
        settings.maximumSentenceLength = trainer.maximumSentenceLength
        // The pieces are those of one thread whatever the thread count, and the file says so:
        // it is then byte-identical whatever `threads` was.
        settings.threads = 1
        settings.subIterations = trainer.subIterations
        settings.maximumPieceLength = trainer.maximumPieceLength
        settings.splitByUnicodeScript = trainer.splitByUnicodeScript
        settings.splitByNumber = trainer.splitByNumber
        settings.splitByWhitespace = trainer.splitByWhitespace
        settings.splitDigits = trainer.splitDigits
        settings.controlSymbols = trainer.controlSymbols
        settings.userDefinedSymbols = trainer.userDefinedSymbols
        settings.requiredCharacters = trainer.requiredCharacters
        settings.byteFallback = trainer.byteFallback
        settings.unknownPiece = trainer.unknownPiece
        settings.unknownID = unknownID
        settings.beginningPiece = trainer.beginningPiece ?? "<s>"
        settings.beginningID = trainer.beginningPiece.flatMap { id(of: $0) } ?? -1
        settings.endPiece = trainer.endPiece ?? "</s>"
        settings.endID = trainer.endPiece.flatMap { id(of: $0) } ?? -1
        settings.paddingPiece = trainer.paddingPiece ?? "<pad>"
        settings.paddingID = trainer.paddingPiece.flatMap { id(of: $0) } ?? -1
        var normalizer = SentencePieceModelFile.NormalizerSettings()
        normalizer.name = trainer.normalizesNFKC ? "nmt_nfkc" : "identity"
        normalizer.precompiledCharsMap = trainer.charsMapBlob
        let file = SentencePieceModelFile(pieces: pieces,
                                          trainer: settings, normalizer: normalizer)
        return file.serializedModel()
    }

    /// A `tokenizer.json` with a Unigram model, laid out as `tokenizers` converts a SentencePiece
    /// Unigram model: the charsmap as a `Precompiled` normalizer, trailing spaces stripped and
    /// runs of spaces made one "▁", `Metaspace` pre-tokenizer and decoder. Control pieces are
    /// special added tokens, user-defined pieces added tokens matched before normalization.
    public func tokenizerJSON() -> [UInt8] {
        var writer = JSONWriter(capacity: pieces.count * 24 + trainer.charsMapBlob.count * 2)
        writer.beginTokenizerJSON()
        for (id, piece) in pieces.enumerated() where piece.type == .control || piece.type == .userDefined {
            writer.appendAddedToken(id: id, content: piece.piece, special: piece.type == .control)
        }
        writer.endArray()
        writer.appendKey("normalizer")
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("Sequence")
        writer.appendKey("normalizers")
        writer.beginArray()
        let blob = trainer.charsMapBlob
        if !blob.isEmpty {
            writer.beginObject()
            writer.appendKey("type"); writer.appendString("Precompiled")
            writer.appendKey("precompiled_charsmap"); writer.appendString(Base64.encode(blob))
            writer.endObject()
        }
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("Strip")
        writer.appendKey("strip_left"); writer.appendBool(false)
        writer.appendKey("strip_right"); writer.appendBool(true)
        writer.endObject()
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("Replace")
        writer.appendKey("pattern")
        writer.beginObject(); writer.appendKey("Regex"); writer.appendString(" {2,}"); writer.endObject()
        writer.appendKey("content"); writer.appendString("\u{2581}")
        writer.endObject()
        writer.endArray()
        writer.endObject()
        let metaspace = #"{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true}"#
        writer.appendKey("pre_tokenizer"); Array(metaspace.utf8).withUnsafeBufferPointer { writer.appendRawValue($0) }
        writer.appendKey("post_processor"); writer.appendNull()
        writer.appendKey("decoder")
        let decoder = trainer.byteFallback ? #"{"type":"Sequence","decoders":[{"type":"ByteFallback"},\#(metaspace)]}"# : metaspace
        Array(decoder.utf8).withUnsafeBufferPointer { writer.appendRawValue($0) }
        writer.appendKey("model")
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("Unigram")
        writer.appendKey("unk_id"); writer.appendInt(unknownID)
        writer.appendKey("vocab")
        writer.beginArray()
        for piece in pieces {
            writer.beginArray()
            writer.appendString(piece.piece)
            writer.appendDouble(Double(piece.score))
            writer.endArray()
        }
        writer.endArray()
        writer.appendKey("byte_fallback"); writer.appendBool(trainer.byteFallback)
        writer.endObject()
        writer.endObject()
        writer.appendNewline()
        return writer.bytes
    }

    /// The id of a piece.
    public func id(of piece: String) -> Int? {
        let bytes = Array(piece.utf8)
        return pieces.firstIndex { Array($0.piece.utf8) == bytes }
    }
}
