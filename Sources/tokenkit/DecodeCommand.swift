import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit decode`: token ids to text.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode token ids to text.",
        discussion: """
        With IDS (or ids separated by spaces on standard input), prints the text.
        With --jsonl, reads {"ids": [...], "skip_special_tokens"?: bool} per line and writes {"text": "..."}.

        Examples:
          tokenkit decode --encoding o200k_base 13225 2375
          echo '{"ids": [13225, 2375]}' | tokenkit decode --encoding o200k_base --jsonl
        """)

    @OptionGroup var source: TokenizerOptions

    @Flag(name: .long, help: "Read JSON Lines requests from standard input.")
    var jsonl = false

    @Flag(name: .long, help: "Leave out special tokens.")
    var skipSpecialTokens = false

    @Option(name: .long, help: "Multi-word n-grams (a file from `train multiword`): their ids follow the tokenizer's.")
    var multiWord: String?

    @Argument(help: "Token ids (default: standard input).")
    var ids: [String] = []

    func run() throws {
        let tokenizer = try source.load()
        let multiWordTokenizer = try multiWord.map { try MultiWordOptions.load($0, base: tokenizer) }
        if jsonl {
            guard multiWordTokenizer == nil else { throw CLIError.badInput("--multi-word decodes plain ids, not --jsonl") }
            try runJSONLines(tokenizer)
            return
        }
        var words = ids
        if words.isEmpty {
            words = String(decoding: StandardStreams.readAll(), as: UTF8.self)
                .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "," || $0 == "\r" })
                .map(String.init)
        }
        var list: [TokenID] = []
        for word in words {
            guard let id = TokenID(word) else { throw CLIError.badInput("not a token id: \(word.debugDescription)") }
            list.append(id)
        }
        do {
            let text: String
            if let multiWordTokenizer {
                text = try multiWordTokenizer.decode(list)
            } else {
                text = try tokenizer.decode(list, skipSpecialTokens: skipSpecialTokens)
            }
            StandardStreams.write(Array((text + "\n").utf8))
        } catch {
            throw CLIError.badInput(error.description)
        }
    }

    private func runJSONLines(_ tokenizer: Tokenizer) throws {
        let input = StandardStreams.readAll()
        var writer = JSONWriter(capacity: input.count)
        var failures = 0
        for (index, line) in StandardStreams.lines(input).enumerated() {
            do {
                let document: JSONDocument
                do { document = try JSONDocument(bytes: Array(line)) } catch { throw CLIError.badInput("invalid JSON: \(error)") }
                let root = document.root
                guard let idsValue = root["ids"], idsValue.isArray else { throw CLIError.badInput("field ids: expected an array of token ids") }
                var list: [TokenID] = []
                list.reserveCapacity(idsValue.count)
                for v in idsValue.elements {
                    guard let n = v.int, n >= 0, n <= Int(UInt32.max) else { throw CLIError.badInput("field ids: expected token ids") }
                    list.append(TokenID(n))
                }
                var skip = skipSpecialTokens
                if let s = root["skip_special_tokens"], !s.isNull {
                    guard let b = s.bool else { throw CLIError.badInput("field skip_special_tokens: expected a boolean") }
                    skip = b
                }
                let text = try tokenizer.decode(list, skipSpecialTokens: skip)
                writer.beginObject()
                writer.appendKey("text")
                writer.appendString(text)
                writer.endObject()
            } catch {
                failures += 1
                writer.beginObject()
                writer.appendKey("error")
                writer.appendString("line \(index + 1): \(error)")
                writer.endObject()
            }
            writer.appendNewline()
        }
        StandardStreams.write(writer.bytes)
        if failures > 0 { throw CLIError.badInput("\(failures) request(s) failed") }
    }
}
