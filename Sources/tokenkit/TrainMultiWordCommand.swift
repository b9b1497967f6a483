import ArgumentParser
import Foundation
import Tokenkit
import TokenkitTraining

/// `tokenkit train multiword`: the word n-grams of Multi-Word Tokenization (Gee et al., 2023).
struct TrainMultiWordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multiword",
        abstract: "Learn the frequent word n-grams of Multi-Word Tokenization (Gee et al., 2023).",
        discussion: """
        Counts the runs of 2 to --max-words words (runs of letters joined by single spaces, with
        the space before the first word when there is one) and writes the --top-k most frequent
        as {"type": "MultiWord", "ngrams": [...]}. `encode --multi-word FILE` matches them, longest
        first, before the tokenizer, each as one token whose id follows the tokenizer's vocabulary;
        `decode --multi-word FILE` reverses it.

        Example:
          tokenkit train multiword --top-k 1000 --max-words 3 corpus.txt -o ngrams.json
          tokenkit encode --encoding cl100k_base --multi-word ngrams.json "in order to"
        """)

    @OptionGroup var corpus: CorpusOptions

    @Option(name: .long, help: "How many n-grams to keep (the most frequent).")
    var topK = 1000

    @Option(name: .long, help: "The longest n-gram, in words (at least 2).")
    var maxWords = 3

    @Option(name: .long, help: "Leave out n-grams seen fewer times.")
    var minCount = 2

    func validate() throws {
        guard topK > 0 else { throw ValidationError("--top-k must be positive") }
        guard maxWords >= 2 else { throw ValidationError("--max-words must be at least 2") }
    }

    func run() throws {
        let trainer = MultiWordTrainer(topK: topK, maximumWords: maxWords, minimumCount: minCount)
        var counter = ByteStringCounter()
        try corpus.forEachSequence { trainer.count($0, into: &counter) }
        try corpus.write(MultiWordTrainer.fileContents(trainer.ngrams(from: counter)))
    }
}

/// Loads a `--multi-word` file around a tokenizer.
enum MultiWordOptions {
    static func load(_ path: String, base: Tokenizer) throws -> MultiWordTokenizer {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.badInput("\(path): cannot be read") }
        do throws(TokenizerLoadingError) {
            return MultiWordTokenizer(base: base, ngrams: try MultiWordTokenizer.ngrams(fromFile: [UInt8](data), name: path))
        } catch {
            throw CLIError(error)
        }
    }
}
