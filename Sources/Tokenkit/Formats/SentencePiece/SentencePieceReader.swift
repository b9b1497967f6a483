import SwiftProtobuf

/// Reads SentencePiece `.model` files (a `ModelProto` in protobuf binary format) into a
/// `Tokenizer` that behaves like the `sentencepiece` library with its defaults (no BOS or
/// EOS): its normalizer, its model (Unigram, BPE, WORD or CHAR) and its decoder.
///
/// A file SentencePiece would refuse to load is `.malformed`, with the field at fault:
/// broken protobuf, a known field of the wrong type, an empty or duplicate piece, no
/// unknown piece, byte pieces without `byte_fallback` (or missing with it), a broken
/// `precompiled_charsmap`.
struct SentencePieceReader {
    let file: String

    func malformed(_ field: String, _ message: String) -> TokenizerLoadingError {
        TokenizerLoadingError(.malformed, file: file, field.isEmpty ? message : "field \(field): \(message)")
    }

    func read(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> Tokenizer {
        if bytes.isEmpty { throw malformed("", "empty file (expected a SentencePiece model protobuf)") }
        do {
            try ProtobufWireCheck.check(bytes)
        } catch {
            throw malformed(error.path, error.message)
        }
        let proto: Sentencepiece_ModelProto
        do {
            proto = try Sentencepiece_ModelProto(serializedBytes: bytes)
        } catch {
            throw malformed("", "not a SentencePiece model protobuf (\(error))")
        }
        return try makeTokenizer(proto)
    }

    func makeTokenizer(_ proto: Sentencepiece_ModelProto) throws(TokenizerLoadingError) -> Tokenizer {
        let trainer = proto.trainerSpec
        let kind: SentencePieceModel.Kind
        switch trainer.modelType {
        case .unigram: kind = .unigram
        case .bpe: kind = .bpe
        case .word: kind = .word
        case .char: kind = .character
        }

        var pieces: [(piece: String, score: Float, type: SentencePieceModel.PieceType)] = []
        pieces.reserveCapacity(proto.pieces.count)
        var userDefined: [String] = []
        for entry in proto.pieces {
            let type: SentencePieceModel.PieceType
            switch entry.type {
            case .normal: type = .normal
            case .unknown: type = .unknown
            case .control: type = .control
            case .userDefined: type = .userDefined
            case .unused: type = .unused
            case .byte: type = .byte
            }
            if type == .userDefined { userDefined.append(entry.piece) }
            pieces.append((entry.piece, entry.score, type))
        }
        let model: SentencePieceModel
        do {
            model = try SentencePieceModel(kind: kind, pieces: pieces, byteFallback: trainer.byteFallback)
        } catch {
            throw malformed(error.index.map { "pieces[\($0)]" } ?? "pieces", error.message)
        }

        let spec = proto.normalizerSpec
        let normalizer = SentencePieceNormalizer(
            charsMap: try charsMap(spec, field: "normalizer_spec.precompiled_charsmap"),
            addDummyPrefix: spec.addDummyPrefix,
            removeExtraWhitespaces: spec.removeExtraWhitespaces,
            escapeWhitespaces: spec.escapeWhitespaces,
            treatWhitespaceAsSuffix: trainer.treatWhitespaceAsSuffix,
            userDefinedSymbols: userDefined)

        var denormalizer: SentencePieceNormalizer?
        if proto.hasDenormalizerSpec, !proto.denormalizerSpec.precompiledCharsmap.isEmpty {
            let d = proto.denormalizerSpec
            denormalizer = SentencePieceNormalizer(
                charsMap: try charsMap(d, field: "denormalizer_spec.precompiled_charsmap"),
                addDummyPrefix: d.addDummyPrefix, removeExtraWhitespaces: d.removeExtraWhitespaces,
                escapeWhitespaces: d.escapeWhitespaces)
        }
        let decoder = SentencePieceDecoder(
            model: model, unknownSurface: trainer.unkSurface, addDummyPrefix: spec.addDummyPrefix,
            removeExtraWhitespaces: spec.removeExtraWhitespaces, denormalizer: denormalizer)

        return Tokenizer(format: .sentencePiece, normalizer: .sentencePiece(normalizer), preTokenizer: nil,
                         model: .sentencePiece(model), postProcessor: nil, decoder: .sentencePiece(decoder),
                         addedVocabulary: AddedVocabulary(), truncation: nil, padding: nil)
    }

    private func charsMap(_ spec: Sentencepiece_NormalizerSpec, field: String) throws(TokenizerLoadingError) -> SentencePieceCharsMap? {
        let blob = [UInt8](spec.precompiledCharsmap)
        if blob.isEmpty { return nil }
        do {
            return try SentencePieceCharsMap(blob: blob, dialect: .sentencePiece)
        } catch {
            throw malformed(field, error.description)
        }
    }
}
