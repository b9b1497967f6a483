import ArgumentParser
import Tokenkit

/// Truncation and padding overrides for `encode` (the file's own settings apply otherwise).
struct EncodingOptions: ParsableArguments {
    @Option(name: .long, help: "Truncate to this many tokens (special tokens included).")
    var truncation: Int?

    @Option(name: .long, help: "Truncation strategy: longest_first, only_first or only_second.")
    var truncationStrategy: String?

    @Option(name: .long, help: "Tokens shared by consecutive overflowing windows.")
    var stride: Int?

    @Option(name: .long, help: "Which end truncation removes tokens from: left or right.")
    var truncationDirection: String?

    @Flag(name: .long, help: "Ignore the truncation configured in the tokenizer file.")
    var noTruncation = false

    @Option(name: .long, help: "Pad to a fixed length N, or 'longest' (the longest input of a --batch).")
    var padding: String?

    @Option(name: .long, help: "Round the padded length up to a multiple of N.")
    var padToMultipleOf: Int?

    @Option(name: .long, help: "Which end padding is added to: left or right.")
    var paddingDirection: String?

    @Flag(name: .long, help: "Ignore the padding configured in the tokenizer file.")
    var noPadding = false

    /// The tokenizer with these overrides applied.
    func apply(to tokenizer: Tokenizer) throws -> Tokenizer {
        var truncationParameters = noTruncation ? nil : tokenizer.truncation
        if truncation != nil || truncationStrategy != nil || stride != nil || truncationDirection != nil {
            guard let maximum = truncation ?? truncationParameters?.maximumLength else {
                throw CLIError.badInput("--truncation-strategy, --stride and --truncation-direction need --truncation MAX")
            }
            var p = truncationParameters ?? TruncationParameters(maximumLength: maximum)
            p.maximumLength = maximum
            if let s = truncationStrategy {
                let names: [String: TruncationParameters.Strategy] = ["longest_first": .longestFirst, "only_first": .onlyFirst, "only_second": .onlySecond]
                guard let strategy = names[s] else { throw CLIError.badInput("--truncation-strategy: expected longest_first, only_first or only_second, got \(s)") }
                p.strategy = strategy
            }
            if let stride { p.stride = stride }
            if let d = truncationDirection { p.direction = try Self.direction(d, option: "--truncation-direction") }
            truncationParameters = p
        }
        var paddingParameters = noPadding ? nil : tokenizer.padding
        if padding != nil || padToMultipleOf != nil || paddingDirection != nil {
            var p = paddingParameters ?? PaddingParameters()
            if let padding {
                if padding == "longest" {
                    p.strategy = .batchLongest
                } else if let n = Int(padding), n >= 0 {
                    p.strategy = .fixed(n)
                } else {
                    throw CLIError.badInput("--padding: expected a length or 'longest', got \(padding)")
                }
            }
            if let padToMultipleOf { p.padToMultipleOf = padToMultipleOf }
            if let d = paddingDirection {
                p.direction = try Self.direction(d, option: "--padding-direction") == .left ? .left : .right
            }
            if p.padToken == "[PAD]", let id = tokenizer.id(forToken: "[PAD]") { p.padID = id }
            paddingParameters = p
        }
        return tokenizer.with(truncation: truncationParameters, padding: paddingParameters)
    }

    private static func direction(_ value: String, option: String) throws -> TruncationDirection {
        switch value.lowercased() {
        case "left": return .left
        case "right": return .right
        default: throw CLIError.badInput("\(option): expected left or right, got \(value)")
        }
    }
}
