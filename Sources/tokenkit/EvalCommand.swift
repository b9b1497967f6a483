import ArgumentParser
import Foundation
import Tokenkit
import TokenkitEvaluation

/// `tokenkit eval`: compare tokenizers on corpora and a parallel corpus, and write a report.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare tokenizers: compression, fertility, parity across languages, vocabulary health; writes metrics.json, metrics.csv and index.html.",
        discussion: """
        Every line of a corpus file is one document, encoded without special tokens. Tokenizers are
        named by their file name without its extension.

        Example:
          tokenkit eval --tokenizer ../shared/tokenizers/cl100k_base.tiktoken \\
            --tokenizer ../shared/tokenizers/mistral-v1.model \\
            --corpus ../shared/corpus/en.txt ../shared/corpus/code.txt \\
            --parallel ../shared/corpus/parallel -o report/
        """)

    @Option(name: .long, help: "A tokenizer file (repeat for several): tokenizer.json, .tiktoken, SentencePiece .model or .gguf.")
    var tokenizer: [String] = []

    @Option(name: .long, help: "A built-in encoding (repeat for several): cl100k_base or o200k_base.")
    var encoding: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Corpus files, one document per line.")
    var corpus: [String] = []

    @Option(name: .long, help: "A parallel corpus directory of line-aligned LANG.txt files.")
    var parallel: String?

    @Option(name: .long, help: "The parallel corpus's reference language.")
    var referenceLanguage = "en"

    @Option(name: .shortAndLong, help: "The report directory (created if needed).")
    var output: String

    @Option(name: .long, help: "Worker threads (0: one per core).")
    var threads = 0

    @Option(name: .long, help: "Only the first N lines of every file (quick runs).")
    var maxLines: Int?

    @Flag(name: .long, help: "Skip the vocabulary health checks and overlap.")
    var noVocabulary = false

    @Flag(name: .long, help: "No progress on standard error.")
    var quiet = false

    func validate() throws {
        if tokenizer.isEmpty && encoding.isEmpty { throw ValidationError("give at least one --tokenizer PATH or --encoding NAME") }
        if corpus.isEmpty && parallel == nil { throw ValidationError("give --corpus FILES... or --parallel DIR") }
        if let maxLines, maxLines <= 0 { throw ValidationError("--max-lines must be positive") }
    }

    func run() throws {
        var evaluated: [EvaluatedTokenizer] = []
        let labels = EvaluatedTokenizer.labels(forSources: tokenizer + encoding)
        for (i, path) in tokenizer.enumerated() {
            do {
                evaluated.append(EvaluatedTokenizer(label: labels[i], source: path, tokenizer: try Tokenizer(contentsOf: path)))
            } catch {
                throw CLIError(error)
            }
        }
        for (i, name) in encoding.enumerated() {
            do {
                evaluated.append(EvaluatedTokenizer(label: labels[tokenizer.count + i], source: name, tokenizer: try Tokenizer.encoding(named: name)))
            } catch {
                throw CLIError(error)
            }
        }
        let options = EvaluationOptions(referenceLanguage: referenceLanguage, threads: threads, maxLines: maxLines,
                                        checkVocabulary: !noVocabulary, progress: quiet ? false : nil)
        let evaluation = TokenizerEvaluation(tokenizers: evaluated, options: options)
        do {
            let report = try evaluation.run(corpora: corpus, parallelDirectory: parallel)
            try report.write(to: output)
            for warning in report.warnings {
                FileHandle.standardError.write(Data(("tokenkit: warning: " + warning + "\n").utf8))
            }
            StandardStreams.write(Array(Self.summary(report, directory: output).utf8))
        } catch {
            throw CLIError.badInput(error.description)
        }
    }

    /// The lines printed at the end: one per tokenizer, the corpora's bytes/token and fertility
    /// and the parity's median and maximum premium.
    static func summary(_ report: EvaluationReport, directory: String) -> String {
        var lines: [String] = []
        for t in report.tokenizers {
            var parts = [t.label]
            for corpus in report.corpora {
                if let m = report.metrics(tokenizer: t.label, corpus: corpus) {
                    parts.append("\(corpus) \(String(format: "%.3f", m.bytesPerToken)) B/tok fertility \(String(format: "%.3f", m.fertility))")
                }
            }
            if let parity = report.parity, let top = parity.maximumPremium(for: t.label) {
                parts.append("parity median \(String(format: "%.2f", parity.medianPremium(for: t.label))) max \(String(format: "%.2f", top.premium)) (\(top.language))")
            }
            lines.append(parts.joined(separator: ", "))
        }
        lines.append("report: \((directory as NSString).appendingPathComponent("index.html"))")
        return lines.joined(separator: "\n") + "\n"
    }
}
