import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit encode`: text to token ids.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text to token ids.",
        discussion: """
        With TEXT (or text on standard input), prints the ids separated by spaces.
        With --jsonl, reads one request per line from standard input,
        {"text": str, "pair"?: str, "add_special_tokens"?: bool, "allowed_special"?: "all" | [str], "disallowed_special"?: "all" | [str]},
        and writes one line per request: {"ids": [...], "tokens": [...], "offsets": [[start, end], ...], "type_ids": [...]}
        (offsets in Unicode scalars of the text), or {"error": "..."} for a request that fails.

        --inference chooses another way to segment each piece with the same vocabulary;
        --dropout P (BPE) and --sample (Unigram) sample segmentations, reproducibly under --seed
        (one seeded sequence for the whole run, requests in order).

        Examples:
          tokenkit encode --encoding o200k_base "Hello world"
          echo '{"text": "Hello world"}' | tokenkit encode --tokenizer tokenizer.json --jsonl
          tokenkit encode --encoding cl100k_base --inference least-tokens "tokenization"
          tokenkit encode --encoding cl100k_base --dropout 0.1 --seed 7 "tokenization"
          tokenkit encode --tokenizer unigram.model --sample --alpha 0.1 --nbest -1 --seed 7 "tokenization"
          tokenkit encode --encoding cl100k_base --multi-word ngrams.json "in order to"
        """)

    @OptionGroup var source: TokenizerOptions
    @OptionGroup var special: SpecialTokenOptions
    @OptionGroup var encodingOptions: EncodingOptions
    @OptionGroup var inferenceOptions: InferenceOptions

    @Flag(name: .long, help: "With --jsonl: encode all requests as one batch (padding to the longest applies across them).")
    var batch = false

    @Flag(name: .long, help: "Read JSON Lines requests from standard input.")
    var jsonl = false

    @Flag(name: .long, help: "Print the full encoding as one JSON object (ids, tokens, offsets, type_ids, masks).")
    var json = false

    @Option(name: .long, help: "Multi-word n-grams (a file from `train multiword`), matched before the tokenizer; their ids follow its vocabulary.")
    var multiWord: String?

    @Argument(help: "The text to encode (default: standard input).")
    var text: String?

    func run() throws {
        let tokenizer = try encodingOptions.apply(to: source.load())
        if let multiWord {
            guard !jsonl && !json else { throw CLIError.badInput("--multi-word prints plain ids (not --json or --jsonl)") }
            let multiWordTokenizer = try MultiWordOptions.load(multiWord, base: tokenizer)
            let input = text ?? String(decoding: StandardStreams.readAll(), as: UTF8.self)
            do {
                let ids = try multiWordTokenizer.encode(input)
                StandardStreams.write(Array((ids.map(String.init).joined(separator: " ") + "\n").utf8))
            } catch {
                throw CLIError.badInput(error.description)
            }
            return
        }
        let encoder = try inferenceOptions.encoder(for: tokenizer)
        if jsonl {
            try runJSONLines(encoder)
            return
        }
        let input = text ?? String(decoding: StandardStreams.readAll(), as: UTF8.self)
        do {
            if json {
                let encoding = try encoder.encode(input, addSpecialTokens: !special.noSpecialTokens,
                                                  allowedSpecial: special.allowed, disallowedSpecial: special.disallowed)
                var writer = JSONWriter()
                EncodingJSON.write(encoding, to: &writer, full: true)
                writer.appendNewline()
                StandardStreams.write(writer.bytes)
            } else {
                let ids = try encoder.encodeIDs(input, addSpecialTokens: !special.noSpecialTokens,
                                                allowedSpecial: special.allowed, disallowedSpecial: special.disallowed)
                StandardStreams.write(Array((ids.map(String.init).joined(separator: " ") + "\n").utf8))
            }
        } catch {
            throw CLIError.badInput(error.description)
        }
    }

    private func runJSONLines(_ encoder: SegmentingEncoder) throws {
        let input = StandardStreams.readAll()
        var writer = JSONWriter(capacity: input.count * 4)
        var failures = 0
        let lines = StandardStreams.lines(input)
        var batchResults: [Result<Encoding, Error>] = []
        if batch {
            batchResults = try encodeBatch(lines, encoder)
        }
        for (index, line) in lines.enumerated() {
            do {
                let encoding: Encoding
                if batch {
                    encoding = try batchResults[index].get()
                } else {
                    let request = try request(line)
                    encoding = try encoder.encode(request.text, pair: request.pair, addSpecialTokens: request.addSpecialTokens,
                                                  allowedSpecial: request.allowed, disallowedSpecial: request.disallowed)
                }
                EncodingJSON.write(encoding, to: &writer, full: json)
            } catch {
                failures += 1
                writer.beginObject()
                writer.appendKey("error")
                writer.appendString("line \(index + 1): \(error)")
                writer.endObject()
            }
            writer.appendNewline()
            if writer.bytes.count > 1 << 20 {
                StandardStreams.write(writer.bytes)
                writer.reset()
            }
        }
        StandardStreams.write(writer.bytes)
        if failures > 0 {
            throw CLIError.badInput("\(failures) request(s) failed")
        }
    }
}

extension EncodeCommand {
    func request(_ line: ArraySlice<UInt8>) throws -> EncodeRequest {
        try EncodeRequest(parsing: Array(line), defaultAllowed: special.allowed, defaultDisallowed: special.disallowed,
                          defaultAddSpecialTokens: !special.noSpecialTokens)
    }

    /// Encodes all requests as one batch; padding to the longest then applies across the batch.
    func encodeBatch(_ lines: [ArraySlice<UInt8>], _ encoder: SegmentingEncoder) throws -> [Result<Encoding, Error>] {
        var results: [Result<Encoding, Error>] = []
        var encodings: [Encoding] = []
        var positions: [Int] = []
        let unpadded = try encoder.unpadded()
        for line in lines {
            do {
                let r = try request(line)
                let e = try unpadded.encode(r.text, pair: r.pair, addSpecialTokens: r.addSpecialTokens,
                                            allowedSpecial: r.allowed, disallowedSpecial: r.disallowed)
                positions.append(results.count)
                encodings.append(e)
                results.append(.success(e))
            } catch {
                results.append(.failure(error))
            }
        }
        if let padding = encoder.tokenizer.padding {
            padding.pad(&encodings)
            for (p, e) in zip(positions, encodings) { results[p] = .success(e) }
        }
        return results
    }
}

/// One JSON Lines request of `encode --jsonl`.
struct EncodeRequest {
    var text: String
    var pair: String?
    var addSpecialTokens: Bool
    var allowed: Tokenizer.SpecialTokenSet
    var disallowed: Tokenizer.SpecialTokenSet

    init(parsing line: [UInt8], defaultAllowed: Tokenizer.SpecialTokenSet, defaultDisallowed: Tokenizer.SpecialTokenSet,
         defaultAddSpecialTokens: Bool) throws {
        let document: JSONDocument
        do { document = try JSONDocument(bytes: line) } catch { throw CLIError.badInput("invalid JSON: \(error)") }
        let root = document.root
        guard root.isObject else { throw CLIError.badInput("expected a JSON object") }
        guard let text = root["text"]?.string else { throw CLIError.badInput("field text: expected a string") }
        self.text = text
        if let pair = root["pair"], !pair.isNull {
            guard let p = pair.string else { throw CLIError.badInput("field pair: expected a string") }
            self.pair = p
        }
        addSpecialTokens = defaultAddSpecialTokens
        if let flag = root["add_special_tokens"], !flag.isNull {
            guard let b = flag.bool else { throw CLIError.badInput("field add_special_tokens: expected a boolean") }
            addSpecialTokens = b
        }
        allowed = try Self.specialSet(root["allowed_special"], field: "allowed_special") ?? defaultAllowed
        disallowed = try Self.specialSet(root["disallowed_special"], field: "disallowed_special") ?? defaultDisallowed
    }

    static func specialSet(_ value: JSONValue?, field: String) throws -> Tokenizer.SpecialTokenSet? {
        guard let value, !value.isNull else { return nil }
        if value.stringEquals("all") { return .all }
        if value.isArray {
            var names = Set<String>()
            for item in value.elements {
                guard let s = item.string else { throw CLIError.badInput("field \(field): expected \"all\" or a list of strings") }
                names.insert(s)
            }
            return names.isEmpty ? Tokenizer.SpecialTokenSet.none : .only(names)
        }
        throw CLIError.badInput("field \(field): expected \"all\" or a list of strings")
    }
}

/// JSON output of encodings.
enum EncodingJSON {
    static func write(_ encoding: Encoding, to writer: inout JSONWriter, full: Bool) {
        writer.beginObject()
        writer.appendKey("ids")
        writer.appendIntArray(encoding.ids)
        writer.appendKey("tokens")
        writer.beginArray()
        for token in encoding.tokens { writer.appendString(token) }
        writer.endArray()
        writer.appendKey("offsets")
        writer.beginArray()
        for range in encoding.offsets {
            writer.beginArray()
            writer.appendInt(range.lowerBound)
            writer.appendInt(range.upperBound)
            writer.endArray()
        }
        writer.endArray()
        writer.appendKey("type_ids")
        writer.appendIntArray(encoding.typeIDs)
        if full {
            writer.appendKey("attention_mask")
            writer.appendIntArray(encoding.attentionMask)
            writer.appendKey("special_tokens_mask")
            writer.appendIntArray(encoding.specialTokensMask)
            writer.appendKey("word_ids")
            writer.beginArray()
            for w in encoding.wordIDs {
                if let w { writer.appendInt(Int(w)) } else { writer.appendNull() }
            }
            writer.endArray()
            writer.appendKey("overflowing")
            writer.beginArray()
            for o in encoding.overflowing { write(o, to: &writer, full: true) }
            writer.endArray()
        }
        writer.endObject()
    }
}
