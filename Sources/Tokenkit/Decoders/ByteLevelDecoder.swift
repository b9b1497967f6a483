/// Decodes byte-level tokens (tokenizer.json `decoder` of type `ByteLevel`): maps each
/// character back to its byte and decodes the bytes as UTF-8, replacing invalid
/// sequences with U+FFFD.
public struct ByteLevelDecoder: Decoder {
    public init() {}

    public func decodeChain(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            if let raw = ByteLevelAlphabet.decode(token) {
                bytes += raw
            } else {
                // A token with a character outside the alphabet is kept as its UTF-8 bytes.
                bytes += Array(token.utf8)
            }
        }
        return [decodeUTF8Lossy(bytes)]
    }
}
