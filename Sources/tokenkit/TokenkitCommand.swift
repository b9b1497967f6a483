import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit`: load, encode, decode and benchmark tokenizers from the command line.
struct TokenkitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenkit",
        abstract: "Exact and fast tokenization: tiktoken files, tokenizer.json, SentencePiece .model, GGUF, built-in OpenAI encodings; training.",
        discussion: """
        Exit status: 0 on success, 2 on bad input (unreadable or malformed file, invalid request),
        3 when a valid tokenizer uses a component Tokenkit does not support yet.
        """,
        subcommands: [EncodeCommand.self, DecodeCommand.self, BenchCommand.self, InfoCommand.self, TrainCommand.self, EvalCommand.self])
}

@main
enum Main {
    static func main() {
        do {
            var command = try TokenkitCommand.parseAsRoot()
            try command.run()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data(("tokenkit: " + error.message + "\n").utf8))
            exit(error.code)
        } catch {
            let code = TokenkitCommand.exitCode(for: error)
            if code == .success || error is CleanExit {
                TokenkitCommand.exit(withError: error)
            }
            // Usage errors are bad input too.
            FileHandle.standardError.write(Data((TokenkitCommand.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}

/// An error that ends the process with a message and an exit status.
struct CLIError: Error, CustomStringConvertible {
    var message: String
    var code: Int32

    static func badInput(_ message: String) -> CLIError { CLIError(message: message, code: 2) }

    var description: String { message }

    init(message: String, code: Int32) {
        self.message = message
        self.code = code
    }

    init(_ error: TokenizerLoadingError) {
        self.init(message: error.description, code: error.kind == .unsupported ? 3 : 2)
    }
}
