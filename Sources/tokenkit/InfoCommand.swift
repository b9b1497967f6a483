import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit info`: what a tokenizer file contains.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a tokenizer: format, pipeline and vocabulary size.",
        discussion: """
        Example:
          tokenkit info --tokenizer tokenizer.json
        """)

    @OptionGroup var source: TokenizerOptions

    func run() throws {
        let tokenizer = try source.load()
        var lines: [String] = []
        let format: String
        switch tokenizer.format {
        case .huggingFace: format = "tokenizer.json"
        case .tiktoken: format = "tiktoken"
        case .sentencePiece: format = "sentencepiece"
        case .gguf: format = "gguf"
        }
        lines.append("format: \(format)")
        lines.append("vocabulary: \(tokenizer.vocabularySize(includingAddedTokens: false)) tokens, \(tokenizer.addedVocabulary.count) added")
        lines.append("normalizer: \(tokenizer.normalizer?.description ?? "none")")
        lines.append("pre-tokenizer: \(tokenizer.preTokenizer?.description ?? "none")")
        lines.append("model: \(tokenizer.model)")
        lines.append("post-processor: \(tokenizer.postProcessor?.description ?? "none")")
        lines.append("decoder: \(tokenizer.decoder?.description ?? "none")")
        let added = tokenizer.addedVocabulary.tokens.sorted { $0.key < $1.key }.prefix(20)
        if !added.isEmpty {
            lines.append("added tokens: " + added.map { "\($0.value.content) (\($0.key))" }.joined(separator: ", ")
                         + (tokenizer.addedVocabulary.count > 20 ? ", …" : ""))
        }
        StandardStreams.write(Array((lines.joined(separator: "\n") + "\n").utf8))
    }
}
