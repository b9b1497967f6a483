/// Why a tokenizer file could not be loaded. The description names the file, the
/// field and what was expected, e.g. `tok.json: line 3, column 14: field model.vocab: expected an object, found array`.
public struct TokenizerLoadingError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The file could not be read (missing, permissions, …).
        case unreadable
        /// The file is not a valid tokenizer file of its format.
        case malformed
        /// The file is valid but uses a component Tokenkit does not implement yet.
        case unsupported
    }

    public var kind: Kind
    public var file: String
    public var message: String

    public init(_ kind: Kind, file: String, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String {
        switch kind {
        case .unsupported: return "\(file): unsupported: \(message)"
        default: return "\(file): \(message)"
        }
    }
}
