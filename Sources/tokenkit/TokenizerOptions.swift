import ArgumentParser
import Foundation
import Tokenkit

/// How a command picks its tokenizer: a file or a built-in encoding.
struct TokenizerOptions: ParsableArguments {
    @Option(name: .long, help: "A tokenizer file: tokenizer.json, .tiktoken (with an optional NAME.tiktoken.json sidecar), SentencePiece .model or .gguf.")
    var tokenizer: String?

    @Option(name: .long, help: "A built-in encoding instead of a file: cl100k_base or o200k_base.")
    var encoding: String?

    @Option(name: .long, help: "Split pattern for a .tiktoken file that has no sidecar and is not a known encoding.")
    var pattern: String?

    func validate() throws {
        if (tokenizer == nil) == (encoding == nil) {
            throw ValidationError("give exactly one of --tokenizer PATH or --encoding NAME")
        }
    }

    func load() throws -> Tokenizer {
        do {
            if let encoding { return try Tokenizer.encoding(named: encoding) }
            return try Tokenizer(contentsOf: tokenizer!, pattern: pattern)
        } catch {
            throw CLIError(error)
        }
    }
}

/// Special-token options shared by `encode` and `bench`.
struct SpecialTokenOptions: ParsableArguments {
    @Option(name: .long, help: "tiktoken files: special tokens to recognise, 'all' or a comma-separated list (default: none).")
    var allowedSpecial: String?

    @Option(name: .long, help: "tiktoken files: special tokens whose text is an error, 'all' (default), 'none' or a list.")
    var disallowedSpecial: String?

    @Flag(name: .long, help: "Do not add the post-processor's special tokens (tokenizer.json's add_special_tokens=False).")
    var noSpecialTokens = false

    static func parseSet(_ value: String?, default defaultValue: Tokenizer.SpecialTokenSet) -> Tokenizer.SpecialTokenSet {
        guard let value else { return defaultValue }
        switch value {
        case "all": return .all
        case "none", "": return .none
        default: return .only(Set(value.split(separator: ",").map(String.init)))
        }
    }

    var allowed: Tokenizer.SpecialTokenSet { Self.parseSet(allowedSpecial, default: .none) }
    var disallowed: Tokenizer.SpecialTokenSet { Self.parseSet(disallowedSpecial, default: .all) }
}

/// Standard input and output as bytes.
enum StandardStreams {
    static func readAll() -> [UInt8] {
        [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.badInput("\(path): cannot be read")
        }
        return [UInt8](data)
    }

    /// Writes bytes to standard output.
    static func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(1, buffer.baseAddress! + offset, buffer.count - offset)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    break
                }
                offset += n
            }
        }
    }

    /// Splits JSON Lines input at "\n" only (a raw U+2028 inside a string belongs to the line).
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            result.append(bytes[start..<i])
            start = i + 1
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result.map { line in
            var l = line
            if l.last == 0x0D { l = l.dropLast() }
            return l
        }.filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
    }
}
