import Foundation
import Testing
@testable import Tokenkit

/// Writes protobuf binary data by hand, to build valid and broken `.model` files.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func tag(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ value: ProtoWriter) { bytes(field, value.bytes) }

    mutating func int(_ field: Int, _ value: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(value)))
    }

    mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A `ModelProto.SentencePiece`.
    static func piece(_ piece: String, _ score: Float = 0, type: Int = 1) -> ProtoWriter {
        var p = ProtoWriter()
        p.string(1, piece)
        p.float(2, score)
        if type != 1 { p.int(3, type) }
        return p
    }

    /// A model with the given pieces (field 1), trainer spec (2) and normalizer spec (3).
    static func model(_ pieces: [ProtoWriter], trainer: ProtoWriter? = nil, normalizer: ProtoWriter? = nil) -> [UInt8] {
        var m = ProtoWriter()
        for p in pieces { m.message(1, p) }
        if let trainer { m.message(2, trainer) }
        if let normalizer { m.message(3, normalizer) }
        return m.bytes
    }
}

/// Loading `.model` files: hand-built models and the errors for broken ones.
@Suite struct SentencePieceLoadingTests {
    static func load(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> Tokenizer {
        try Tokenizer.load(bytes, format: .sentencePiece, name: "test.model")
    }

    static func error(_ bytes: [UInt8]) -> TokenizerLoadingError? {
        do {
            _ = try load(bytes)
            return nil
        } catch {
            return error
        }
    }

    static let basicPieces = [ProtoWriter.piece("<unk>", 0, type: 2), .piece("<s>", 0, type: 3), .piece("▁a", -1),
                              .piece("b", -2), .piece("▁", -3), .piece("a", -4)]

    static func trainer(modelType: Int, byteFallback: Bool = false) -> ProtoWriter {
        var t = ProtoWriter()
        t.int(3, modelType)
        if byteFallback { t.int(35, 1) }
        return t
    }

    @Test func handBuiltModels() throws {
        // Unigram (the default model type), identity normalization with the default flags.
        let unigram = try Self.load(ProtoWriter.model(Self.basicPieces))
        #expect(try unigram.encode("  a b  ").tokens == ["▁a", "▁", "b"])
        #expect(try unigram.encode("ac").tokens == ["▁a", "<unk>"])
        #expect(try unigram.decode([2, 0, 1, 3]) == "a ⁇ b")
        // BPE: "▁" + "a" merges into "▁a" (score -1).
        let bpe = try Self.load(ProtoWriter.model(Self.basicPieces, trainer: Self.trainer(modelType: 2)))
        #expect(try bpe.encode("a b").tokens == ["▁a", "▁", "b"])
        // WORD and CHAR.
        let word = try Self.load(ProtoWriter.model(Self.basicPieces, trainer: Self.trainer(modelType: 3)))
        #expect(try word.encode("a ab").tokens == ["▁a", "<unk>"])
        let char = try Self.load(ProtoWriter.model(Self.basicPieces, trainer: Self.trainer(modelType: 4)))
        #expect(try char.encode("ab").tokens == ["▁", "a", "b"])
    }

    @Test func normalizerFlags() throws {
        var spec = ProtoWriter()
        spec.int(3, 0)  // add_dummy_prefix
        spec.int(4, 0)  // remove_extra_whitespaces
        let t = try Self.load(ProtoWriter.model(Self.basicPieces, normalizer: spec))
        #expect(try t.encode(" a  b").tokens == ["▁a", "▁", "▁", "b"])
        #expect(try t.decode(try t.encode(" a  b").ids) == " a  b")
    }

    @Test func emptyAndNonProtobufFiles() {
        #expect(Self.error([])?.kind == .malformed)
        let text = Self.error(Array("hello world, not a model\n".utf8))
        #expect(text?.kind == .malformed)
        #expect(text?.description.hasPrefix("test.model: ") == true)
    }

    @Test func truncatedFileNamesTheField() throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: TestData.fixture("sentencepiece/unigram-bytes-symbols.model"))!)
        let e = Self.error(Array(bytes[..<(bytes.count / 3)]))
        #expect(e?.kind == .malformed)
        #expect(e?.description.contains("test.model: field pieces[") == true, "\(e?.description ?? "")")
        #expect(e?.description.contains("truncated") == true)
        // Every prefix either loads (a shorter but valid model) or fails cleanly.
        for length in stride(from: 0, to: bytes.count, by: 53) {
            if let e = Self.error(Array(bytes[..<length])) { #expect(e.kind == .malformed) }
        }
    }

    @Test func wrongFieldTypes() {
        var score = ProtoWriter()
        score.string(1, "a")
        score.int(2, 3)  // score as a varint
        let e1 = Self.error(ProtoWriter.model([.piece("<unk>", type: 2), score]))
        #expect(e1?.description == "test.model: field pieces[1].score: expected a float (wire type 5), found wire type 0")

        var m = ProtoWriter()
        m.message(1, .piece("<unk>", type: 2))
        m.int(2, 7)  // trainer_spec as a varint
        #expect(Self.error(m.bytes)?.description.contains("field trainer_spec: expected a message") == true)

        var piece = ProtoWriter()
        piece.bytes(1, [0x61, 0xFF])  // not UTF-8
        #expect(Self.error(ProtoWriter.model([.piece("<unk>", type: 2), piece]))?.description
            .contains("field pieces[1].piece: expected a UTF-8 string") == true)

        var bad = ProtoWriter()
        bad.tag(1, 7)  // wire type 7 does not exist
        #expect(Self.error(bad.bytes)?.kind == .malformed)
    }

    @Test func invalidPieces() {
        func message(_ pieces: [ProtoWriter], trainer: ProtoWriter? = nil) -> String {
            Self.error(ProtoWriter.model(pieces, trainer: trainer))?.description ?? "loaded"
        }
        #expect(message([.piece("a")]).contains("no piece of type UNKNOWN"))
        #expect(message([.piece("<unk>", type: 2), .piece("a"), .piece("a")]).contains("field pieces[2]: piece \"a\" is already defined"))
        #expect(message([.piece("<unk>", type: 2), .piece("<u>", type: 2)]).contains("field pieces[1]: a second piece of type UNKNOWN"))
        #expect(message([.piece("<unk>", type: 2), .piece("")]).contains("field pieces[1]: piece must not be empty"))
        #expect(message([.piece("<unk>", type: 2), .piece("<0x41>", type: 6)]).contains("byte_fallback is false"))
        #expect(message([.piece("<unk>", type: 2), .piece("<0x41>", type: 6)], trainer: Self.trainer(modelType: 1, byteFallback: true))
            .contains("there is no byte piece <0x00>"))
        #expect(message([.piece("<unk>", type: 2), .piece("<x>", type: 6)], trainer: Self.trainer(modelType: 1, byteFallback: true))
            .contains("field pieces[1]: byte piece \"<x>\" is not of the form <0xXX>"))
        // A Unigram model needs at least one piece besides the reserved ones.
        #expect(message([.piece("<unk>", type: 2)]).contains("no pieces are loaded"))
    }

    @Test func malformedCharsMap() {
        var spec = ProtoWriter()
        spec.bytes(2, [1, 0, 0])
        let e = Self.error(ProtoWriter.model(Self.basicPieces, normalizer: spec))
        #expect(e?.kind == .malformed)
        #expect(e?.description.contains("field normalizer_spec.precompiled_charsmap:") == true)
        var large = ProtoWriter()
        large.bytes(2, [0xFF, 0, 0, 0, 1, 2])  // trie size 255 in a 6-byte blob
        #expect(Self.error(ProtoWriter.model(Self.basicPieces, normalizer: large))?.kind == .malformed)
    }

    @Test func fileLoadingDetectsTheFormat() throws {
        let path = TestData.fixture("sentencepiece/char-identity.model")
        let tokenizer = try Tokenizer(contentsOf: path)
        #expect(tokenizer.format == .sentencePiece)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-sp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.model")
        try Data([0x0A, 0x05, 0x0A]).write(to: broken)
        do {
            _ = try Tokenizer(contentsOf: broken.path)
            Issue.record("a truncated file loaded")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.description.hasPrefix(broken.path + ": field pieces[0]"))
        }
    }
}
