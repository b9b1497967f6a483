import ArgumentParser
import Tokenkit
import TokenkitTraining

/// `tokenkit train unigram`: a Unigram model as SentencePiece's `spm_train --model_type=unigram`
/// trains it, written as a SentencePiece `.model` or a `tokenizer.json`.
struct TrainUnigramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unigram",
        abstract: "Train a SentencePiece-compatible Unigram tokenizer (as spm_train --model_type=unigram).",
        discussion: """
        Every line of the input is one sentence, as spm_train reads it, and
        every sentence is used (as with --input_sentence_size=0: no sampling).
        Sentences are normalized with SentencePiece's nmt_nfkc rules, spaces
        become "▁", and the vocabulary is learned by SentencePiece's algorithm
        with its defaults: the characters covering --character-coverage of
        the text, seed pieces from a suffix array, EM with pruning. <unk>, <s>
        and </s> take ids 0, 1 and 2.

        The output is a SentencePiece .model (-o NAME.model), which
        sentencepiece and Tokenkit load, or a tokenizer.json (any other name)
        with a Unigram model, which tokenizers and Tokenkit load; both encode
        alike.

        Examples:
          tokenkit train unigram --vocab-size 32000 corpus.txt -o sp.model
          tokenkit train unigram --vocab-size 8000 --byte-fallback \\
              a.txt b.txt -o tokenizer.json
          tokenkit train unigram --vocab-size 16000 --user-defined-symbol \\
              "<mask>" --jsonl-field text data.jsonl -o m.model
        """)

    @OptionGroup var corpus: CorpusOptions

    @Option(name: .long, help: "The vocabulary size, special pieces included.")
    var vocabSize: Int

    @Option(name: .long, help: "Fraction of the characters the alphabet must cover (0.98 to 1); rarer characters are unknown.")
    var characterCoverage = 0.9995

    @Option(name: .long, help: "The longest piece, in characters.")
    var maxPieceLength = 16

    @Option(name: .long, help: "The unknown piece (id 0).")
    var unkToken = "<unk>"

    @Option(name: .long, help: "The begin-of-sentence piece (id 1; empty for none).")
    var bosToken = "<s>"

    @Option(name: .long, help: "The end-of-sentence piece (empty for none).")
    var eosToken = "</s>"

    @Option(name: .long, help: "A padding piece after the others (none by default).")
    var padToken: String?

    @Option(name: .long, help: "A control piece (repeatable), never produced from text; ids after <unk> <s> </s>.")
    var specialToken: [String] = []

    @Option(name: .long, help: "A user-defined piece (repeatable), always kept whole in text.")
    var userDefinedSymbol: [String] = []

    @Flag(name: .long, help: "Add the 256 byte pieces <0x00>…<0xFF>: unknown characters become bytes.")
    var byteFallback = false

    @Flag(name: .long, help: "Every digit is its own piece.")
    var splitDigits = false

    @Option(name: .long, help: "Normalization rules: nmt_nfkc (default) or identity.")
    var normalization = "nmt_nfkc"

    @Option(name: .long, help: "Sentences longer than this many bytes are skipped.")
    var maxSentenceLength = 4192

    func validate() throws {
        guard vocabSize > 0 else { throw ValidationError("--vocab-size must be positive") }
        guard ["nmt_nfkc", "identity"].contains(normalization) else {
            throw ValidationError("--normalization: expected nmt_nfkc or identity")
        }
    }

    func run() throws {
        let trainer = UnigramTrainer(
            vocabularySize: vocabSize, characterCoverage: characterCoverage, maximumPieceLength: maxPieceLength,
            maximumSentenceLength: maxSentenceLength, splitDigits: splitDigits, unknownPiece: unkToken,
            beginningPiece: bosToken.isEmpty ? nil : bosToken, endPiece: eosToken.isEmpty ? nil : eosToken,
            paddingPiece: padToken, controlSymbols: specialToken, userDefinedSymbols: userDefinedSymbol,
            byteFallback: byteFallback, normalizesNFKC: normalization == "nmt_nfkc", threads: corpus.threads)
        do { try trainer.validate() } catch { throw CLIError.badInput(error.description) }
        var sentences = UnigramCorpus(for: trainer)
        try corpus.forEachSequence { sentences.add($0) }
        let vocabulary: UnigramVocabulary
        do {
            vocabulary = try trainer.train(sentences, progress: ProgressBar(enabled: corpus.quiet ? false : nil))
        } catch {
            throw CLIError.badInput(error.description)
        }
        try corpus.write(corpus.output.hasSuffix(".model") ? vocabulary.sentencePieceModel() : vocabulary.tokenizerJSON())
    }
}
