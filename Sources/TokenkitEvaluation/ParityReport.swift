/// The tokenization premium of each language of a parallel corpus (Petrov et al., 2023,
/// "Language Model Tokenizers Introduce Unfairness Between Languages"), per tokenizer.
///
/// For a language L and a tokenizer, premium(L) = Σ tokens(L line) / Σ tokens(reference line),
/// summed over the aligned lines that are non-empty in both files (a message left untranslated
/// is an empty line, and counting it would make L look cheaper). A premium of 2 means the same
/// content costs twice the reference language's tokens. The reference's own premium is 1.
public struct ParityReport: Sendable, Equatable {
    /// One language under one tokenizer.
    public struct Entry: Sendable, Equatable {
        public var tokenizer: String
        public var language: String
        /// Lines non-empty in both this language's file and the reference's.
        public var alignedLines = 0
        public var tokens = 0
        public var referenceTokens = 0

        public init(tokenizer: String, language: String, alignedLines: Int = 0, tokens: Int = 0, referenceTokens: Int = 0) {
            self.tokenizer = tokenizer
            self.language = language
            self.alignedLines = alignedLines
            self.tokens = tokens
            self.referenceTokens = referenceTokens
        }

        /// tokens / referenceTokens (0 when nothing is aligned).
        public var premium: Double { referenceTokens == 0 ? 0 : Double(tokens) / Double(referenceTokens) }
    }

    public var referenceLanguage: String
    public var tokenizers: [String]
    /// The languages measured, sorted by name.
    public var languages: [String]
    public var entries: [Entry] = []
    /// Languages left out and why (files that are not line-aligned with the reference).
    public var warnings: [String] = []

    public init(referenceLanguage: String, tokenizers: [String], languages: [String]) {
        self.referenceLanguage = referenceLanguage
        self.tokenizers = tokenizers
        self.languages = languages
    }

    /// The entries of one tokenizer, highest premium first (ties by language).
    public func sortedEntries(for tokenizer: String) -> [Entry] {
        entries.filter { $0.tokenizer == tokenizer && $0.alignedLines > 0 }
            .sorted { $0.premium != $1.premium ? $0.premium > $1.premium : $0.language < $1.language }
    }

    public func entry(tokenizer: String, language: String) -> Entry? {
        entries.first { $0.tokenizer == tokenizer && $0.language == language }
    }

    /// The median premium of a tokenizer over all languages (the mean of the two middle values
    /// for an even count).
    public func medianPremium(for tokenizer: String) -> Double {
        let values = sortedEntries(for: tokenizer).map(\.premium).sorted()
        guard !values.isEmpty else { return 0 }
        let mid = values.count / 2
        return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
    }

    /// The highest premium of a tokenizer and its language.
    public func maximumPremium(for tokenizer: String) -> Entry? { sortedEntries(for: tokenizer).first }
}
