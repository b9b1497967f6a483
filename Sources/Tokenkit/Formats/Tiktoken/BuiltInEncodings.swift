import Foundation

// Built-in encodings are stored as resources in a compact binary form
// (`scripts/build_encodings.py` writes them from the .tiktoken files):
//   "TKENC1\n", varint pattern length, pattern, varint special count,
//   (varint id, varint length, bytes) per special token, varint token count,
//   (varint rank gap, varint length, bytes) per token in rank order.
// Raw bytes instead of base64 make them half the size and twice as fast to load.

extension Tokenizer {
    /// The names of the encodings shipped with Tokenkit, usable with `encoding(named:)`.
    public static var builtInEncodingNames: [String] { ["cl100k_base", "o200k_base"] }

    /// A built-in OpenAI encoding (`cl100k_base`, `o200k_base`), like `tiktoken.get_encoding`.
    /// It needs no file: the ranks ship inside the package.
    public static func encoding(named name: String) throws(TokenizerLoadingError) -> Tokenizer {
        guard builtInEncodingNames.contains(name) else {
            throw TokenizerLoadingError(.unreadable, file: name, "unknown encoding; built-in encodings: \(builtInEncodingNames.joined(separator: ", "))")
        }
        let file = "built-in encoding \(name)"
        guard let url = Bundle.module.url(forResource: name, withExtension: "tkenc", subdirectory: "Encodings"),
              let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerLoadingError(.unreadable, file: file, "resource \(name).tkenc is missing from the Tokenkit bundle")
        }
        return try decodeCompactEncoding([UInt8](data), file: file)
    }

    static func decodeCompactEncoding(_ bytes: [UInt8], file: String) throws(TokenizerLoadingError) -> Tokenizer {
        var reader = CompactReader(bytes: bytes)
        let magic = Array("TKENC1\n".utf8)
        guard bytes.starts(with: magic) else { throw TokenizerLoadingError(.malformed, file: file, "not a Tokenkit compact encoding") }
        reader.position = magic.count
        guard let patternLength = reader.varint(), let pattern = reader.bytes(patternLength),
              let specialCount = reader.varint() else {
            throw TokenizerLoadingError(.malformed, file: file, "truncated header")
        }
        var specials: [(String, TokenID)] = []
        for _ in 0..<specialCount {
            guard let id = reader.varint(), let length = reader.varint(), let content = reader.bytes(length) else {
                throw TokenizerLoadingError(.malformed, file: file, "truncated special tokens")
            }
            specials.append((String(decoding: content, as: UTF8.self), TokenID(id)))
        }
        guard let count = reader.varint() else { throw TokenizerLoadingError(.malformed, file: file, "truncated token count") }
        var ranks = ByteStringTable(compactFor: count)
        var rank = -1
        try bytes.withUnsafeBufferPointer { (buffer) throws(TokenizerLoadingError) in
            for _ in 0..<count {
                guard let gap = reader.varint(), let length = reader.varint(), reader.position + length <= buffer.count else {
                    throw TokenizerLoadingError(.malformed, file: file, "truncated tokens")
                }
                rank += gap + 1
                ranks.set(UnsafeBufferPointer(rebasing: buffer[reader.position..<(reader.position + length)]), UInt32(rank))
                reader.position += length
            }
        }
        let configuration = TiktokenReader.Configuration(pattern: String(decoding: pattern, as: UTF8.self), specialTokens: specials)
        return try TiktokenReader.makeTokenizer(ranks: ranks, configuration: configuration, file: file)
    }
}

/// Sequential reader of LEB128 varints and byte runs.
struct CompactReader {
    let bytes: [UInt8]
    var position = 0

    mutating func varint() -> Int? {
        var value = 0
        var shift = 0
        while position < bytes.count, shift < 63 {
            let b = bytes[position]
            position += 1
            value |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, position + count <= bytes.count else { return nil }
        defer { position += count }
        return bytes[position..<(position + count)]
    }
}
