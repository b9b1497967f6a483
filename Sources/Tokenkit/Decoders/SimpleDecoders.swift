/// WordPiece decoding (tokenizer.json `WordPiece` decoder): joins continuation pieces
/// (`##ing`) to the previous token and separates words with spaces, optionally cleaning
/// up spaces before punctuation.
public struct WordPieceDecoder: Decoder {
    public var prefix: String
    public var cleanup: Bool
    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            var t = token
            if i != 0 {
                // Compare bytes: `String.hasPrefix` works on grapheme clusters, and "##" followed by a
                // combining mark is not a prefix of it in that sense.
                if t.utf8.starts(with: prefix.utf8) {
                    t = String(decoding: t.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
                } else {
                    t = " " + t
                }
            }
            return cleanup ? Self.cleanUp(t) : t
        }
    }

    /// tokenizers' `wordpiece::cleanup`.
    static func cleanUp(_ text: String) -> String {
        var s = text
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                       (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            s = s.replacingAll(a, with: b)
        }
        return s
    }
}

/// Turns `<0xXX>` byte tokens back into text (tokenizer.json `ByteFallback`): runs of byte
/// tokens that form valid UTF-8 become their text, otherwise one U+FFFD per byte.
public struct ByteFallbackDecoder: Decoder {
    public init() {}

    static func byte(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        var result: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                result.append(text)
            } else {
                result += Array(repeating: "\u{FFFD}", count: pending.count)
            }
            pending.removeAll()
        }
        for token in tokens {
            if let b = Self.byte(token) {
                pending.append(b)
            } else {
                flush()
                result.append(token)
            }
        }
        flush()
        return result
    }
}

/// Concatenates all tokens into one (tokenizer.json `Fuse`).
public struct FuseDecoder: Decoder {
    public init() {}
    public func decodeChain(_ tokens: [String]) -> [String] { [tokens.joined()] }
}

/// Removes up to `start` leading and `stop` trailing occurrences of a character from each
/// token (tokenizer.json `Strip` decoder).
public struct StripDecoder: Decoder {
    public var content: UInt32
    public var start: Int
    public var stop: Int
    public init(content: UInt32, start: Int, stop: Int) {
        self.content = content
        self.start = start
        self.stop = stop
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            var startCut = 0
            for i in 0..<min(start, scalars.count) {
                if scalars[i].value == content { startCut = i + 1 } else { break }
            }
            var stopCut = scalars.count
            for i in 0..<stop {
                let index = scalars.count - i - 1
                // tokenizers indexes without a bound check here; stop at the start of the token instead.
                guard index >= 0 else { break }
                if scalars[index].value == content { stopCut = index } else { break }
            }
            guard startCut < stopCut else { return "" }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars[startCut..<stopCut])
            return String(out)
        }
    }
}

/// Classic BPE end-of-word suffix decoding (tokenizer.json `BPEDecoder`): the suffix becomes
/// a space, except in the last token.
public struct BPESuffixDecoder: Decoder {
    public var suffix: String
    public init(suffix: String = "</w>") { self.suffix = suffix }
    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            token.replacingAll(suffix, with: i == tokens.count - 1 ? "" : " ")
        }
    }
}

/// CTC decoding (tokenizer.json `CTC`): collapses repeats, drops the pad token and turns the
/// word delimiter into spaces.
public struct CTCDecoder: Decoder {
    public var padToken: String
    public var wordDelimiterToken: String
    public var cleanup: Bool
    public init(padToken: String = "<pad>", wordDelimiterToken: String = "|", cleanup: Bool = true) {
        self.padToken = padToken
        self.wordDelimiterToken = wordDelimiterToken
        self.cleanup = cleanup
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        var result: [String] = []
        var previous: String?
        for token in tokens {
            defer { previous = token }
            if token == previous { continue }
            var t = token.replacingAll(padToken, with: "")
            if cleanup { t = WordPieceDecoder.cleanUp(t).replacingAll(wordDelimiterToken, with: " ") }
            if !t.isEmpty { result.append(t) }
        }
        return result
    }
}

/// Applies several decoders in order (tokenizer.json `Sequence`).
public struct SequenceDecoder: Decoder {
    public var decoders: [DecoderComponent]
    public init(_ decoders: [DecoderComponent]) { self.decoders = decoders }
    public func decodeChain(_ tokens: [String]) -> [String] {
        var tokens = tokens
        for d in decoders { tokens = d.decodeChain(tokens) }
        return tokens
    }
}

extension String {
    /// All non-overlapping occurrences of `target` replaced, left to right (Rust's `str::replace`).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else {
            // Rust inserts the replacement around every character for an empty pattern.
            var out = replacement
            for scalar in unicodeScalars { out.unicodeScalars.append(scalar); out += replacement }
            return out
        }
        let haystack = Array(utf8)
        let needle = Array(target.utf8)
        let matches = literalMatches(of: needle, in: haystack)
        guard !matches.isEmpty else { return self }
        var out: [UInt8] = []
        var last = 0
        for m in matches {
            out += haystack[last..<m.lowerBound]
            out += Array(replacement.utf8)
            last = m.upperBound
        }
        out += haystack[last...]
        return String(decoding: out, as: UTF8.self)
    }
}
