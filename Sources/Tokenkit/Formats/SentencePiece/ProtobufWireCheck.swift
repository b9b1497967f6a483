/// A structural check of a SentencePiece `.model` file (protobuf binary format) that
/// names the field at fault: `pieces[12].score: expected a float (wire type 5), found
/// wire type 0`.
///
/// swift-protobuf decodes the file; this check runs first so that errors can name the
/// field. It is stricter than protobuf on one point: a known field with the wrong wire
/// type is an error here, where protobuf would keep it as an unknown field and the model
/// would silently lose it.
struct ProtobufWireCheck {
    enum Kind: Sendable {
        case varint, fixed32, string, bytes
        case message(Schema)

        var wireType: Int {
            switch self {
            case .varint: return 0
            case .fixed32: return 5
            case .string, .bytes, .message: return 2
            }
        }

        var name: String {
            switch self {
            case .varint: return "an integer, boolean or enum (wire type 0)"
            case .fixed32: return "a float (wire type 5)"
            case .string: return "a string (wire type 2)"
            case .bytes: return "bytes (wire type 2)"
            case .message: return "a message (wire type 2)"
            }
        }
    }

    struct Field: Sendable {
        var name: String
        var kind: Kind
        var repeated = false
    }

    final class Schema: Sendable {
        let fields: [Int: Field]
        init(_ fields: [Int: Field]) { self.fields = fields }
    }

    struct Failure: Error {
        var path: String
        var message: String
    }

    // MARK: - sentencepiece_model.proto

    static let sentencePiece = Schema([
        1: Field(name: "piece", kind: .string),
        2: Field(name: "score", kind: .fixed32),
        3: Field(name: "type", kind: .varint),
    ])

    static let trainerSpec: Schema = {
        var fields: [Int: Field] = [:]
        let strings: [(Int, String, Bool)] = [
            (1, "input", true), (7, "input_format", false), (2, "model_prefix", false), (5, "accept_language", true),
            (53, "pretokenization_delimiter", false), (30, "control_symbols", true), (31, "user_defined_symbols", true),
            (36, "required_chars", false), (45, "unk_piece", false), (46, "bos_piece", false), (47, "eos_piece", false),
            (48, "pad_piece", false), (44, "unk_surface", false), (54, "seed_sentencepieces_file", false),
        ]
        for (number, name, repeated) in strings { fields[number] = Field(name: name, kind: .string, repeated: repeated) }
        for (number, name) in [(51, "differential_privacy_noise_level"), (10, "character_coverage"), (15, "shrinking_factor")] {
            fields[number] = Field(name: name, kind: .fixed32)
        }
        let varints: [(Int, String)] = [
            (3, "model_type"), (4, "vocab_size"), (6, "self_test_sample_size"), (50, "enable_differential_privacy"),
            (52, "differential_privacy_clipping_threshold"), (11, "input_sentence_size"), (19, "shuffle_input_sentence"),
            (12, "mining_sentence_size"), (13, "training_sentence_size"), (14, "seed_sentencepiece_size"),
            (18, "max_sentence_length"), (16, "num_threads"), (17, "num_sub_iterations"), (20, "max_sentencepiece_length"),
            (21, "split_by_unicode_script"), (23, "split_by_number"), (22, "split_by_whitespace"),
            (24, "treat_whitespace_as_suffix"), (26, "allow_whitespace_only_pieces"), (25, "split_digits"),
            (35, "byte_fallback"), (32, "vocabulary_output_piece_score"), (33, "hard_vocab_limit"), (34, "use_all_vocab"),
            (40, "unk_id"), (41, "bos_id"), (42, "eos_id"), (43, "pad_id"), (49, "train_extremely_large_corpus"),
        ]
        for (number, name) in varints { fields[number] = Field(name: name, kind: .varint) }
        return Schema(fields)
    }()

    static let normalizerSpec = Schema([
        1: Field(name: "name", kind: .string),
        2: Field(name: "precompiled_charsmap", kind: .bytes),
        3: Field(name: "add_dummy_prefix", kind: .varint),
        4: Field(name: "remove_extra_whitespaces", kind: .varint),
        5: Field(name: "escape_whitespaces", kind: .varint),
        6: Field(name: "normalization_rule_tsv", kind: .string),
    ])

    static let selfTestData = Schema([
        1: Field(name: "samples", kind: .message(Schema([
            1: Field(name: "input", kind: .string),
            2: Field(name: "expected", kind: .string),
        ])), repeated: true),
    ])

    static let modelProto = Schema([
        1: Field(name: "pieces", kind: .message(sentencePiece), repeated: true),
        2: Field(name: "trainer_spec", kind: .message(trainerSpec)),
        3: Field(name: "normalizer_spec", kind: .message(normalizerSpec)),
        4: Field(name: "self_test_data", kind: .message(selfTestData)),
        5: Field(name: "denormalizer_spec", kind: .message(normalizerSpec)),
    ])

    // MARK: - Walking

    /// Checks a whole `ModelProto`.
    static func check(_ bytes: [UInt8]) throws(Failure) {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) in
            try check(buffer, 0..<buffer.count, schema: modelProto, path: "", depth: 0)
        }
    }

    private static func join(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : path + "." + name
    }

    private static func readVarint(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int, path: String, what: String) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < end else { throw Failure(path: path, message: "truncated \(what) (the data ends inside a varint)") }
            let byte = b[i]
            i += 1
            if shift == 63 && byte > 1 { throw Failure(path: path, message: "malformed \(what) (a varint longer than 64 bits)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw Failure(path: path, message: "malformed \(what) (a varint longer than 10 bytes)") }
        }
    }

    private static func check(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, schema: Schema?, path: String, depth: Int) throws(Failure) {
        guard depth < 100 else { throw Failure(path: path, message: "messages nested too deeply") }
        var counts: [Int: Int] = [:]
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let tag = try readVarint(b, &i, end: end, path: path, what: "field tag")
            let number = Int(truncatingIfNeeded: tag >> 3)
            let wireType = Int(tag & 7)
            let field = schema?.fields[number]
            var fieldPath = join(path, field?.name ?? "field \(number)")
            if let field, field.repeated {
                let index = counts[number, default: 0]
                counts[number] = index + 1
                fieldPath += "[\(index)]"
            }
            guard number > 0, number < 1 << 29 else {
                throw Failure(path: path, message: "malformed field tag \(tag) (field number \(number))")
            }
            if let field, field.kind.wireType != wireType {
                throw Failure(path: fieldPath, message: "expected \(field.kind.name), found wire type \(wireType)")
            }
            switch wireType {
            case 0:
                _ = try readVarint(b, &i, end: end, path: fieldPath, what: "value")
            case 1:
                guard end - i >= 8 else { throw Failure(path: fieldPath, message: "truncated (8 bytes expected, \(end - i) left)") }
                i += 8
            case 5:
                guard end - i >= 4 else { throw Failure(path: fieldPath, message: "truncated (4 bytes expected, \(end - i) left)") }
                i += 4
            case 2:
                let length = try readVarint(b, &i, end: end, path: fieldPath, what: "length")
                guard length <= UInt64(end - i) else {
                    throw Failure(path: fieldPath, message: "truncated (a length of \(length) bytes, \(end - i) left)")
                }
                let body = i..<(i + Int(length))
                i = body.upperBound
                switch field?.kind {
                case let .message(nested)?:
                    try check(b, body, schema: nested, path: fieldPath, depth: depth + 1)
                case .string?:
                    var iterator = UnsafeBufferPointer(rebasing: b[body]).makeIterator()
                    var decoder = UTF8()
                    decoding: while true {
                        switch decoder.decode(&iterator) {
                        case .scalarValue: continue
                        case .emptyInput: break decoding
                        case .error: throw Failure(path: fieldPath, message: "expected a UTF-8 string, found invalid UTF-8")
                        }
                    }
                default:
                    break
                }
            case 3:
                try skipGroup(b, &i, end: end, number: number, path: fieldPath, depth: depth + 1)
            default:
                throw Failure(path: fieldPath, message: "malformed field tag (wire type \(wireType) does not exist)")
            }
        }
    }

    /// Skips an unknown group up to its end tag.
    private static func skipGroup(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, end: Int, number: Int, path: String, depth: Int) throws(Failure) {
        guard depth < 100 else { throw Failure(path: path, message: "groups nested too deeply") }
        while true {
            guard i < end else { throw Failure(path: path, message: "truncated (a group without its end tag)") }
            let tag = try readVarint(b, &i, end: end, path: path, what: "field tag")
            let inner = Int(truncatingIfNeeded: tag >> 3)
            switch Int(tag & 7) {
            case 0: _ = try readVarint(b, &i, end: end, path: path, what: "value")
            case 1:
                guard end - i >= 8 else { throw Failure(path: path, message: "truncated") }
                i += 8
            case 5:
                guard end - i >= 4 else { throw Failure(path: path, message: "truncated") }
                i += 4
            case 2:
                let length = try readVarint(b, &i, end: end, path: path, what: "length")
                guard length <= UInt64(end - i) else { throw Failure(path: path, message: "truncated") }
                i += Int(length)
            case 3: try skipGroup(b, &i, end: end, number: inner, path: path, depth: depth + 1)
            case 4:
                guard inner == number else { throw Failure(path: path, message: "malformed group (mismatched end tag)") }
                return
            default: throw Failure(path: path, message: "malformed field tag")
            }
        }
    }
}
