import Foundation
import SwiftProtobuf

/// What a SentencePiece `.model` file records: the pieces in id order, the training settings
/// (`TrainerSpec`) and the normalization (`NormalizerSpec`). Trainers fill it in and
/// `serializedModel()` writes the `ModelProto` that `sentencepiece` and `SentencePieceReader`
/// load. Only the settings a trainer actually used are set; the others keep the protobuf
/// defaults, as in files written by `spm_train`.
package struct SentencePieceModelFile: Sendable {
    package enum ModelType: Sendable { case unigram, bpe }

    package typealias Piece = SentencePieceModel.Piece

    /// `TrainerSpec` fields, by their SentencePiece meaning.
    package struct TrainerSettings: Sendable {
        package var input: [String] = []
        package var modelType: ModelType = .unigram
        package var vocabularySize = 8000
        package var characterCoverage: Float = 0.9995
        package var inputSentenceSize: UInt64 = 0
        package var shuffleInputSentence = false
        package var seedSentencePieceSize = 1_000_000
        package var shrinkingFactor: Float = 0.75
        package var maximumSentenceLength = 4192
        package var threads = 1
        package var subIterations = 2
        package var maximumPieceLength = 16
        package var splitByUnicodeScript = true
        package var splitByNumber = true
        package var splitByWhitespace = true
        package var splitDigits = false
        package var controlSymbols: [String] = []
        package var userDefinedSymbols: [String] = []
        package var requiredCharacters = ""
        package var byteFallback = false
        package var unknownID = 0, beginningID = 1, endID = 2, paddingID = -1
        package var unknownPiece = "<unk>", beginningPiece = "<s>", endPiece = "</s>", paddingPiece = "<pad>"
        package var unknownSurface = " \u{2047} "

        package init() {}
    }

    /// `NormalizerSpec` fields.
    package struct NormalizerSettings: Sendable {
        package var name = "nmt_nfkc"
        package var precompiledCharsMap: [UInt8] = []
        package var addDummyPrefix = true
        package var removeExtraWhitespaces = true
        package var escapeWhitespaces = true

        package init() {}
    }

    package var pieces: [Piece]
    package var trainer: TrainerSettings
    package var normalizer: NormalizerSettings

    package init(pieces: [Piece], trainer: TrainerSettings, normalizer: NormalizerSettings) {
        self.pieces = pieces
        self.trainer = trainer
        self.normalizer = normalizer
    }

    /// The `ModelProto` in protobuf binary form.
    package func serializedModel() -> [UInt8] {
        var proto = Sentencepiece_ModelProto()
        proto.pieces = pieces.map { entry in
            var piece = Sentencepiece_ModelProto.SentencePiece()
            piece.piece = entry.piece
            piece.score = entry.score
            // NORMAL is the field's default: spm_train leaves it unset, and so does this.
            if entry.type != .normal { piece.type = Sentencepiece_ModelProto.SentencePiece.TypeEnum(rawValue: Int(entry.type.rawValue))! }
            return piece
        }
        var spec = Sentencepiece_TrainerSpec()
        spec.input = trainer.input
        spec.modelType = trainer.modelType == .unigram ? .unigram : .bpe
        spec.vocabSize = Int32(trainer.vocabularySize)
        spec.characterCoverage = trainer.characterCoverage
        spec.inputSentenceSize = trainer.inputSentenceSize
        spec.shuffleInputSentence = trainer.shuffleInputSentence
        spec.seedSentencepieceSize = Int32(trainer.seedSentencePieceSize)
        spec.shrinkingFactor = trainer.shrinkingFactor
        spec.maxSentenceLength = Int32(trainer.maximumSentenceLength)
        spec.numThreads = Int32(trainer.threads)
        spec.numSubIterations = Int32(trainer.subIterations)
        spec.maxSentencepieceLength = Int32(trainer.maximumPieceLength)
        spec.splitByUnicodeScript = trainer.splitByUnicodeScript
        spec.splitByNumber = trainer.splitByNumber
        spec.splitByWhitespace = trainer.splitByWhitespace
        spec.splitDigits = trainer.splitDigits
        spec.treatWhitespaceAsSuffix = false
        spec.allowWhitespaceOnlyPieces = false
        spec.controlSymbols = trainer.controlSymbols
        spec.userDefinedSymbols = trainer.userDefinedSymbols
        spec.requiredChars = trainer.requiredCharacters
        spec.byteFallback = trainer.byteFallback
        spec.vocabularyOutputPieceScore = true
        spec.hardVocabLimit = true
        spec.useAllVocab = false
        spec.unkID = Int32(trainer.unknownID)
        spec.bosID = Int32(trainer.beginningID)
        spec.eosID = Int32(trainer.endID)
        spec.padID = Int32(trainer.paddingID)
        spec.unkPiece = trainer.unknownPiece
        spec.bosPiece = trainer.beginningPiece
        spec.eosPiece = trainer.endPiece
        spec.padPiece = trainer.paddingPiece
        spec.unkSurface = trainer.unknownSurface
        proto.trainerSpec = spec
        var normalizerSpec = Sentencepiece_NormalizerSpec()
        normalizerSpec.name = normalizer.name
        normalizerSpec.precompiledCharsmap = Data(normalizer.precompiledCharsMap)
        normalizerSpec.addDummyPrefix = normalizer.addDummyPrefix
        normalizerSpec.removeExtraWhitespaces = normalizer.removeExtraWhitespaces
        normalizerSpec.escapeWhitespaces = normalizer.escapeWhitespaces
        normalizerSpec.normalizationRuleTsv = ""
        proto.normalizerSpec = normalizerSpec
        // Every field set above is valid, so serialization cannot fail.
        let data: Data = try! proto.serializedBytes()
        return [UInt8](data)
    }
}
