import ArgumentParser
import Foundation
import Tokenkit
import TokenkitTraining

/// `tokenkit train`: learn a tokenizer from text files.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a tokenizer on text files.",
        subcommands: [TrainBPECommand.self, TrainWordPieceCommand.self, TrainUnigramCommand.self, TrainMultiWordCommand.self])
}

/// Options shared by the trainers: the corpus and the output.
struct CorpusOptions: ParsableArguments {
    @Argument(help: "Text files (one sequence per line, line endings kept), or - for standard input.")
    var files: [String] = []

    @Option(name: .long, help: "Read JSON Lines and train on this string field of each object.")
    var jsonlField: String?

    @Option(name: [.customShort("o"), .long], help: "Where to write the trained tokenizer (a tokenizer.json unless the name says otherwise).")
    var output: String

    @Flag(name: .long, help: "No progress bar.")
    var quiet = false

    @Option(name: .long, help: "Threads counting words (bpe, wordpiece) or running EM (unigram); the result does not depend on it.")
    var threads = 1

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one input file (or - for standard input)") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    /// Counts the words of every sequence as `splitter` cuts them.
    func countWords(splitter: Tokenizer) throws -> WordCounts {
        let format: TrainingCorpusFormat = jsonlField.map { .jsonLines(field: $0) } ?? .lines
        do {
            return try WordCounts.counting(files: files, format: format, splitter: splitter, threads: threads)
        } catch let error as TrainingCorpusError {
            throw CLIError.badInput(error.description)
        }
    }

    /// Calls `body` with every sequence of every file, in order.
    func forEachSequence(_ body: (String) -> Void) throws {
        let format: TrainingCorpusFormat = jsonlField.map { .jsonLines(field: $0) } ?? .lines
        for file in files {
            let source = file == "-" ? "<stdin>" : file
            do {
                try TrainingCorpus.forEachBlock(ofFile: file) { block, firstLine in
                    try TrainingCorpus.forEachSequence(in: block, source: source, format: format, firstLineNumber: firstLine, body)
                }
            } catch let error as TrainingCorpusError {
                throw CLIError.badInput(error.description)
            }
        }
    }

    func write(_ bytes: [UInt8], to path: String? = nil) throws {
        let path = path ?? output
        do { try Data(bytes).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError.badInput("\(path): cannot be written: \(error.localizedDescription)")
        }
    }
}

/// Options of the merge-based trainers (BPE and WordPiece).
struct MergeOptions: ParsableArguments {
    @Option(name: .long, help: "The vocabulary size, special tokens and alphabet included.")
    var vocabSize: Int

    @Option(name: .long, help: "Pairs seen fewer times are not merged.")
    var minFrequency: Int = 0

    @Option(name: .long, help: "A special token (repeatable); they take the first ids, in order.")
    var specialToken: [String] = []

    @Option(name: .long, help: "Keep at most this many initial characters.")
    var limitAlphabet: Int?

    func validate() throws {
        guard vocabSize > 0 else { throw ValidationError("--vocab-size must be positive") }
    }
}

/// `tokenkit train bpe`: byte-level BPE as `tokenizers`' BpeTrainer trains it.
struct TrainBPECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bpe",
        abstract: "Train a BPE tokenizer, byte-level or SentencePiece-style (the merges of tokenizers' BpeTrainer).",
        discussion: """
        The corpus is cut into words by the pre-tokenizer (GPT-2's by default, or a Split on
        --pattern or a known --preset followed by ByteLevel), every line a sequence with its line
        ending, as tokenizers' Tokenizer.train(files) reads it. Merges and ids equal BpeTrainer's
        for the same settings. The output is a tokenizer.json, or with -o NAME.tiktoken a tiktoken
        rank file and its NAME.tiktoken.json sidecar (split pattern and special tokens). With
        --metaspace, -o NAME.model writes a SentencePiece BPE model instead (merged pieces score
        minus their rank, as spm_train's; sentencepiece encodes as tokenizers does with the
        tokenizer.json, except that it adds the "▁" prefix even before a leading space).

        Examples:
          tokenkit train bpe --vocab-size 32000 corpus.txt -o tokenizer.json
          tokenkit train bpe --vocab-size 50000 --preset llama3 --special-token "<|endoftext|>" a.txt b.txt -o tok.json
          tokenkit train bpe --vocab-size 8000 --jsonl-field text data.jsonl -o tokenizer.json
          tokenkit train bpe --vocab-size 32000 --preset o200k corpus.txt -o mine.tiktoken
          tokenkit train bpe --vocab-size 8000 --metaspace --special-token "<unk>" --unk-token "<unk>" corpus.txt -o sp.model
          tokenkit train bpe --vocab-size 8000 --metaspace --character-coverage 0.9995 --byte-fallback \\
              --special-token "<unk>" --unk-token "<unk>" corpus.txt -o sp.model

        --character-coverage keeps only the most frequent characters covering that fraction of the
        text (SentencePiece's rule; a dropped character splits its word, so no merge spans it) and
        --byte-fallback adds the byte tokens <0x00>…<0xFF> after the special tokens, which spell
        every character outside the vocabulary (both as spm_train; they need --metaspace).

        --scaffold trains Scaffold-BPE (Lian et al., 2024): after each merge, a part whose
        remaining count is below the next best pair's becomes a scaffold, which leaves the
        vocabulary (freeing a slot for one more merge) but stays in the merges, and comes back
        if it later outcounts the best pair. The tokenizer.json lists the scaffolds in its
        model's "scaffold_tokens" (last ids); Tokenkit splits them back into their parts when
        encoding (tokenizers ignores the field). Not for .tiktoken or .model output.

        --superword-transition T trains SuperBPE (Liu et al., 2025): ordinary BPE up to T tokens,
        then the corpus is cut again by a split that joins words separated by single spaces
        (numbers, punctuation and whitespace runs still split; --superword-pattern replaces it)
        and the merges continue from there to --vocab-size, so later tokens may span words. The
        output's pre-tokenizer is that second split. Byte-level only; the corpus is read twice.
        """)

    @OptionGroup var corpus: CorpusOptions

    @OptionGroup var merges: MergeOptions

    @Option(name: .long, help: "Never make tokens longer than this many characters.")
    var maxTokenLength: Int?

    @Option(name: .long, help: "Split pattern before ByteLevel (regex, Oniguruma syntax).")
    var pattern: String?

    @Option(name: .long, help: "A known split pattern: gpt2 (default), cl100k, o200k, llama3 or qwen.")
    var preset: String?

    @Flag(name: .long, help: "SentencePiece-style BPE over characters: NFKC and Metaspace instead of byte-level.")
    var metaspace = false

    @Option(name: .long, help: "With --metaspace: the model's unknown token (add it with --special-token too).")
    var unkToken: String?

    @Option(name: .long, help: "With --metaspace: keep only the most frequent characters covering this fraction of the text, as spm_train (e.g. 0.9995).")
    var characterCoverage: Double?

    @Flag(name: .long, help: "With --metaspace: add the 256 byte tokens <0x00>…<0xFF> that spell characters outside the vocabulary.")
    var byteFallback = false

    @Flag(name: .long, help: "Scaffold-BPE: parts that fall below the next best pair's count leave the vocabulary (tokenizer.json only).")
    var scaffold = false

    @Option(name: .long, help: "SuperBPE: the vocabulary size where merges start to cross spaces.")
    var superwordTransition: Int?

    @Option(name: .long, help: "SuperBPE: the second stage's split pattern (default: words joined by single spaces).")
    var superwordPattern: String?

    func validate() throws {
        guard [pattern != nil, preset != nil, metaspace].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --pattern, --preset and --metaspace")
        }
        if let superwordTransition {
            guard !metaspace else { throw ValidationError("--superword-transition trains byte-level BPE; it cannot be used with --metaspace") }
            guard superwordTransition > 0 && superwordTransition < merges.vocabSize else {
                throw ValidationError("--superword-transition must be positive and below --vocab-size (got \(superwordTransition))")
            }
        } else if superwordPattern != nil {
            throw ValidationError("--superword-pattern needs --superword-transition")
        }
        guard !scaffold || !(corpus.output.hasSuffix(".tiktoken") || corpus.output.hasSuffix(".model")) else {
            throw ValidationError("--scaffold writes a tokenizer.json only (.tiktoken and .model files cannot mark scaffolds)")
        }
        guard unkToken == nil || metaspace else { throw ValidationError("--unk-token needs --metaspace (byte-level BPE has no unknown characters)") }
        guard (characterCoverage == nil && !byteFallback) || metaspace else {
            throw ValidationError("--character-coverage and --byte-fallback need --metaspace (byte-level BPE covers every byte)")
        }
        if let characterCoverage, !(characterCoverage > 0 && characterCoverage <= 1) {
            throw ValidationError("--character-coverage must be greater than 0 and at most 1 (got \(characterCoverage))")
        }
    }

    func run() throws {
        var pattern = try resolvedPattern()
        var pipeline = metaspace ? TrainingPipeline.metaspace(byteFallback: byteFallback) : TrainingPipeline.byteLevel(pattern: pattern)
        let splitter: Tokenizer
        do { splitter = try pipeline.wordSplitter() } catch {
            throw CLIError(message: "the split pattern cannot be used: \(error)", code: error.kind == .unsupported ? 3 : 2)
        }
        var trainer = BPETrainer(vocabularySize: merges.vocabSize, minimumFrequency: merges.minFrequency,
                                 specialTokens: merges.specialToken, limitAlphabet: merges.limitAlphabet,
                                 initialAlphabet: metaspace ? [] : BPETrainer.byteLevelAlphabet,
                                 maximumTokenLength: maxTokenLength, characterCoverage: characterCoverage,
                                 byteFallback: byteFallback)
        trainer.scaffold = scaffold
        let progress = ProgressBar(enabled: corpus.quiet ? false : nil)
        var vocabulary: BPEVocabulary
        if let superwordTransition {
            // SuperBPE: the first stage as usual, up to the transition.
            var firstStage = trainer
            firstStage.vocabularySize = superwordTransition
            firstStage.scaffold = false
            let stage1 = firstStage.train(try corpus.countWords(splitter: splitter), progress: progress)
            let stage1Encoder: Tokenizer
            do {
                stage1Encoder = try Tokenizer.load(stage1.tokenizerJSON(pipeline: .byteLevelWholeWords), format: .tokenizerJSON)
                pattern = superwordPattern ?? TrainingPipeline.superwordPattern
                pipeline = TrainingPipeline.byteLevel(pattern: pattern)
            } catch {
                throw CLIError(message: "the superword pattern cannot be used: \(error)", code: error.kind == .unsupported ? 3 : 2)
            }
            let words = try corpus.countWords(splitter: try pipeline.wordSplitter())
            vocabulary = trainer.train(words, continuing: stage1, stage1Encoder: stage1Encoder, progress: progress)
        } else {
            // The word counts are handed over, not kept: training frees them once words are split.
            vocabulary = trainer.train(try corpus.countWords(splitter: splitter), progress: progress)
        }
        vocabulary.unknownToken = unkToken
        if corpus.output.hasSuffix(".model") {
            guard metaspace, let unkToken else {
                throw CLIError.badInput("-o NAME.model writes SentencePiece BPE: it needs --metaspace and --unk-token")
            }
            guard let model = vocabulary.sentencePieceModel(unknownToken: unkToken) else {
                throw CLIError.badInput("--unk-token \(unkToken.debugDescription) is not in the vocabulary; add it with --special-token")
            }
            try corpus.write(model)
        } else if corpus.output.hasSuffix(".tiktoken") {
            guard let ranks = vocabulary.tiktokenRanks() else { throw CLIError.badInput("a token is not byte-level; write a tokenizer.json") }
            try corpus.write(ranks)
            try corpus.write(vocabulary.tiktokenSidecar(pattern: pattern ?? SplitPatterns.pattern(named: "gpt2")!), to: corpus.output + ".json")
        } else {
            try corpus.write(vocabulary.tokenizerJSON(pipeline: pipeline))
        }
    }

    private func resolvedPattern() throws -> String? {
        if let pattern { return pattern }
        guard let preset, preset != "gpt2" else { return nil }
        guard let known = SplitPatterns.pattern(named: preset) else {
            throw CLIError.badInput("--preset: unknown \(preset.debugDescription); expected one of \(SplitPatterns.names.joined(separator: ", "))")
        }
        return known
    }
}

/// `tokenkit train wordpiece`: a BERT-style WordPiece vocabulary as `tokenizers`' WordPieceTrainer
/// learns it (BPE merges with the `##` continuation prefix, the vocabulary kept).
struct TrainWordPieceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wordpiece",
        abstract: "Train a BERT-style WordPiece tokenizer (tokenizers' WordPieceTrainer).",
        discussion: """
        The corpus goes through BERT's normalizer (lowercased unless --cased) and pre-tokenizer.
        --special-token defaults to [UNK] [CLS] [SEP] [PAD] [MASK]; the file gets BERT's
        post-processor when [CLS] and [SEP] are among them.

        Example:
          tokenkit train wordpiece --vocab-size 30522 corpus.txt -o tokenizer.json
        """)

    @OptionGroup var corpus: CorpusOptions

    @OptionGroup var merges: MergeOptions

    @Option(name: .long, help: "The token for words the vocabulary cannot spell.")
    var unkToken = "[UNK]"

    @Flag(name: .long, help: "Keep case and accents (BertNormalizer lowercase: false).")
    var cased = false

    func run() throws {
        let pipeline = TrainingPipeline.bert(lowercase: !cased)
        let words = try corpus.countWords(splitter: try pipeline.wordSplitter())
        // BERT's special tokens unless others are given.
        let specials = merges.specialToken.isEmpty ? ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"] : merges.specialToken
        let trainer = BPETrainer(vocabularySize: merges.vocabSize, minimumFrequency: merges.minFrequency, specialTokens: specials,
                                 limitAlphabet: merges.limitAlphabet, continuingSubwordPrefix: "##")
        let vocabulary = trainer.train(words, progress: ProgressBar(enabled: corpus.quiet ? false : nil))
        try corpus.write(vocabulary.wordPieceTokenizerJSON(pipeline: pipeline, unknownToken: unkToken))
    }
}
