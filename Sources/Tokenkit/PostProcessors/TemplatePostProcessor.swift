/// Adds special tokens around the sequences following a template
/// (tokenizer.json `TemplateProcessing`), e.g. `[CLS] $A [SEP] $B:1 [SEP]:1`.
public struct TemplatePostProcessor: PostProcessor {
    public enum Piece: Sendable, Equatable {
        /// The first (`A`, index 0) or second (`B`, index 1) sequence with its type id.
        case sequence(index: Int, typeID: UInt32)
        /// A special token by name (a key of `specialTokens`), with its type id.
        case specialToken(name: String, typeID: UInt32)
    }

    /// A special token of the template; it may expand to several ids.
    public struct SpecialToken: Sendable, Equatable {
        public var name: String
        public var ids: [TokenID]
        public var tokens: [String]
        public init(name: String, ids: [TokenID], tokens: [String]) {
            self.name = name
            self.ids = ids
            self.tokens = tokens
        }
    }

    public var single: [Piece]
    public var pair: [Piece]
    public var specialTokens: [String: SpecialToken]

    public init(single: [Piece], pair: [Piece], specialTokens: [String: SpecialToken]) {
        self.single = single
        self.pair = pair
        self.specialTokens = specialTokens
    }

    public func addedTokenCount(isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { count, piece in
            if case let .specialToken(name, _) = piece { return count + (specialTokens[name]?.ids.count ?? 0) }
            return count
        }
    }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var encodings = encodings
        let template = encodings.count == 2 ? pair : single
        var result: [Encoding] = []
        for piece in template {
            switch piece {
            case let .sequence(index, typeID):
                guard index < encodings.count else { continue }
                encodings[index].typeIDs = Array(repeating: typeID, count: encodings[index].count)
                encodings[index].setSequenceID(index)
                result.append(encodings[index])
            case let .specialToken(name, typeID):
                guard addSpecialTokens, let token = specialTokens[name] else { continue }
                var e = Encoding()
                for (id, string) in zip(token.ids, token.tokens) {
                    e.append(id: id, token: string, offsets: 0..<0, word: nil, typeID: typeID, isSpecial: true)
                }
                result.append(e)
            }
        }
        return result
    }

    /// Parses the string form of a template, e.g. `"[CLS] $A [SEP] $B:1"`.
    static func parsePieces(_ template: String) -> [Piece]? {
        var pieces: [Piece] = []
        for word in template.unicodeScalars.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            guard let piece = parsePiece(String(word)) else { return nil }
            pieces.append(piece)
        }
        return pieces
    }

    /// One piece of the string form: `$A`, `$B`, `$`, `$0`, `$1`, `$A:1`, `[CLS]`, `[CLS]:1`.
    static func parsePiece(_ text: String) -> Piece? {
        let parts = text.unicodeScalars.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let body = parts[0]
        var typeID: UInt32 = 0
        var explicitType = false
        if parts.count == 2 {
            guard let t = UInt32(parts[1]) else { return nil }
            typeID = t
            explicitType = true
        }
        if body.unicodeScalars.first == "$" {
            let rest = String(body.unicodeScalars.dropFirst())
            switch rest {
            case "", "A", "a": return .sequence(index: 0, typeID: typeID)
            case "B", "b": return .sequence(index: 1, typeID: typeID)
            default:
                guard let t = UInt32(rest) else { return nil }
                return .sequence(index: 0, typeID: explicitType ? typeID : t)
            }
        }
        return .specialToken(name: String(body), typeID: typeID)
    }
}
