import Tokenkit

/// How training input is cut into the sequences the pipeline sees.
public enum TrainingCorpusFormat: Sendable, Equatable {
    /// One sequence per line, its line ending kept, as `tokenizers`' `train(files)` reads files.
    case lines
    /// JSON Lines: the string `field` of each object is one sequence.
    case jsonLines(field: String)
}

/// Errors reading a training corpus.
public struct TrainingCorpusError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Cuts corpus bytes into training sequences.
public enum TrainingCorpus {
    /// Calls `body` with every sequence of `bytes` (the contents of `source`, named in errors).
    public static func forEachSequence(in bytes: [UInt8], source: String, format: TrainingCorpusFormat,
                                       _ body: (String) throws -> Void) throws {
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let next = end < bytes.count ? end + 1 : end
            lineNumber += 1
            defer { start = next }
            switch format {
            case .lines:
                // The line with its "\n" (and a "\r" before it), as Rust's lines_with_ending.
                try body(String(decoding: bytes[start..<next], as: UTF8.self))
            case .jsonLines(let field):
                let line = bytes[start..<end]
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                let document: JSONDocument
                do { document = try JSONDocument(bytes: Array(line)) } catch {
                    throw TrainingCorpusError(description: "\(source): line \(lineNumber): invalid JSON: \(error)")
                }
                guard let text = document.root[field]?.string else {
                    throw TrainingCorpusError(description: "\(source): line \(lineNumber): field \(field): expected a string")
                }
                try body(text)
            }
        }
    }
}
