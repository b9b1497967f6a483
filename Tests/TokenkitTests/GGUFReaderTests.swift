import Foundation
import Testing
@testable import Tokenkit

/// Writes GGUF byte buffers by hand (little-endian, version 3 unless told).
struct GGUFTestWriter {
    var version: UInt32 = 3
    var entries: [[UInt8]] = []
    var count: UInt64?

    static func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    static func string(_ s: String) -> [UInt8] { u64(UInt64(s.utf8.count)) + Array(s.utf8) }

    static func encode(_ value: GGUFValue) -> [UInt8] {
        switch value {
        case let .uint8(v): return [v]
        case let .int8(v): return [UInt8(bitPattern: v)]
        case let .uint16(v): return withUnsafeBytes(of: v.littleEndian, Array.init)
        case let .int16(v): return withUnsafeBytes(of: v.littleEndian, Array.init)
        case let .uint32(v): return u32(v)
        case let .int32(v): return withUnsafeBytes(of: v.littleEndian, Array.init)
        case let .float32(v): return u32(v.bitPattern)
        case let .bool(v): return [v ? 1 : 0]
        case let .string(b): return u64(UInt64(b.count)) + b
        case let .uint64(v): return u64(v)
        case let .int64(v): return withUnsafeBytes(of: v.littleEndian, Array.init)
        case let .float64(v): return u64(v.bitPattern)
        case .array: fatalError("use addArray")
        }
    }

    mutating func raw(_ key: String, type: UInt32, _ payload: [UInt8]) {
        entries.append(Self.string(key) + Self.u32(type) + payload)
    }

    mutating func add(_ key: String, _ value: GGUFValue) {
        raw(key, type: value.type.rawValue, Self.encode(value))
    }

    mutating func addArray(_ key: String, _ elementType: GGUFValueType, _ elements: [GGUFValue]) {
        raw(key, type: 9, Self.u32(elementType.rawValue) + Self.u64(UInt64(elements.count)) + elements.flatMap(Self.encode))
    }

    mutating func addStrings(_ key: String, _ strings: [String]) {
        var payload = Self.u32(8) + Self.u64(UInt64(strings.count))
        payload.reserveCapacity(strings.count * 16)
        for s in strings { payload += Self.string(s) }
        raw(key, type: 9, payload)
    }

    mutating func addInt32s(_ key: String, _ values: [Int32]) {
        addArray(key, .int32, values.map { .int32($0) })
    }

    func bytes() -> [UInt8] {
        Array("GGUF".utf8) + Self.u32(version) + Self.u64(0) + Self.u64(count ?? UInt64(entries.count)) + entries.flatMap { $0 }
    }
}

@Suite struct GGUFReaderTests {
    func parse(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> GGUFFile { try GGUFFile(bytes: bytes, file: "t.gguf") }

    func failure(_ bytes: [UInt8]) -> TokenizerLoadingError? {
        do { _ = try parse(bytes); return nil } catch { return error }
    }

    @Test func everyValueType() throws {
        var w = GGUFTestWriter()
        let values: [(String, GGUFValue)] = [
            ("a.u8", .uint8(200)), ("a.i8", .int8(-5)), ("a.u16", .uint16(65000)), ("a.i16", .int16(-30000)),
            ("a.u32", .uint32(4_000_000_000)), ("a.i32", .int32(-2_000_000_000)), ("a.f32", .float32(1.5)),
            ("a.bool", .bool(true)), ("a.str", .string(Array("héllo".utf8))), ("a.u64", .uint64(UInt64.max)),
            ("a.i64", .int64(Int64.min)), ("a.f64", .float64(-0.125)),
        ]
        for (k, v) in values { w.add(k, v) }
        w.addArray("b.f32s", .float32, [.float32(-1), .float32(2.5)])
        w.addArray("b.u8s", .uint8, [.uint8(1), .uint8(255)])
        w.addArray("b.i64s", .int64, [.int64(-3), .int64(4)])
        w.addArray("b.bools", .bool, [.bool(false), .bool(true)])
        w.addStrings("b.strs", ["", "x", "日本"])
        // An array of arrays.
        w.raw("b.nested", type: 9, GGUFTestWriter.u32(9) + GGUFTestWriter.u64(2)
              + GGUFTestWriter.u32(5) + GGUFTestWriter.u64(1) + GGUFTestWriter.encode(.int32(7))
              + GGUFTestWriter.u32(8) + GGUFTestWriter.u64(1) + GGUFTestWriter.string("in"))
        for version: UInt32 in [2, 3] {
            w.version = version
            let file = try parse(w.bytes())
            #expect(file.version == version)
            #expect(file.tensorCount == 0)
            #expect(file.keys.count == values.count + 6)
            for (k, v) in values { #expect(file[k] == v, "\(k)") }
            guard case let .array(f32s)? = file["b.f32s"], case let .array(u8s)? = file["b.u8s"],
                  case let .array(i64s)? = file["b.i64s"], case let .array(bools)? = file["b.bools"],
                  case let .array(strs)? = file["b.strs"], case let .array(nested)? = file["b.nested"] else {
                Issue.record("arrays missing"); return
            }
            #expect(f32s.doubles() == [-1, 2.5])
            #expect(u8s.bytes() == [1, 255])
            #expect(i64s.integers() == [-3, 4])
            #expect(bools.integers() == [0, 1])
            #expect((0..<strs.count).map(strs.string) == ["", "x", "日本"])
            #expect(nested.elementType == .array && nested.count == 2)
            #expect(nested.array(0).int32s() == [7])
            #expect(nested.array(1).string(0) == "in")
            #expect(file["b.strs"]?.typeDescription == "array of string")
        }
    }

    @Test func badMagicAndVersion() {
        #expect(failure(Array("GGUG".utf8) + [3, 0, 0, 0])?.message.contains("expected the magic \"GGUF\"") == true)
        #expect(failure([0x47, 0x47])?.message.contains("too short") == true)
        var w = GGUFTestWriter()
        w.version = 1
        #expect(failure(w.bytes())?.message.contains("version 1 is not supported") == true)
        w.version = 7
        #expect(failure(w.bytes())?.message.contains("unknown GGUF version 7") == true)
        w.version = UInt32(3).byteSwapped
        #expect(failure(w.bytes())?.message.contains("big-endian") == true)
        #expect(failure(w.bytes())?.kind == .malformed)
        #expect(failure(w.bytes())?.file == "t.gguf")
    }

    @Test func truncatedFiles() {
        var w = GGUFTestWriter()
        w.add("general.name", .string(Array("model".utf8)))
        w.addStrings("tokenizer.ggml.tokens", ["a", "bb", "ccc"])
        let bytes = w.bytes()
        let keys = try? parse(bytes).keys
        #expect(keys == ["general.name", "tokenizer.ggml.tokens"])
        // Every truncation is an error naming what was being read, never a crash.
        for cut in 0..<bytes.count {
            let error = failure(Array(bytes[..<cut]))
            #expect(error != nil, "cut at \(cut)")
            let message = error?.message ?? ""
            if cut > 24 {
                #expect(message.contains("truncated file") || message.contains("overflows the file") || message.contains("larger than the file"),
                        "cut at \(cut): \(message)")
            }
        }
        #expect(failure(Array(bytes.dropLast()))?.message.contains("element 2 of the array metadata key \"tokenizer.ggml.tokens\"") == true)
    }

    @Test func badTypesNameTheKey() {
        var w = GGUFTestWriter()
        w.raw("tokenizer.ggml.weird", type: 13, [0, 0, 0, 0])
        #expect(failure(w.bytes())?.message == "metadata key \"tokenizer.ggml.weird\": unknown value type 13 (expected 0…12)")
        w = GGUFTestWriter()
        w.raw("x.arr", type: 9, GGUFTestWriter.u32(42) + GGUFTestWriter.u64(0))
        #expect(failure(w.bytes())?.message.contains("metadata key \"x.arr\": unknown array element type 42") == true)
        w = GGUFTestWriter()
        w.raw("x.flag", type: 7, [2])
        #expect(failure(w.bytes())?.message.contains("metadata key \"x.flag\": expected a bool") == true)
    }

    @Test func lengthOverflows() {
        var w = GGUFTestWriter()
        w.raw("tokenizer.ggml.tokens", type: 9, GGUFTestWriter.u32(8) + GGUFTestWriter.u64(UInt64.max / 2))
        let message = failure(w.bytes())?.message ?? ""
        #expect(message.contains("metadata key \"tokenizer.ggml.tokens\": array length") && message.contains("overflows the file"), "\(message)")
        w = GGUFTestWriter()
        w.raw("k", type: 8, GGUFTestWriter.u64(UInt64.max))
        #expect(failure(w.bytes())?.message.contains("has length 18446744073709551615") == true)
        w = GGUFTestWriter()
        w.count = UInt64.max
        #expect(failure(w.bytes())?.message.contains("larger than the file can hold") == true)
        w = GGUFTestWriter()
        w.add("k", .uint8(1))
        w.add("k", .uint8(2))
        #expect(failure(w.bytes())?.message == "metadata key \"k\" appears twice")
    }

    // MARK: - tokenizer metadata

    func loadTokenizer(_ w: GGUFTestWriter) throws(TokenizerLoadingError) -> Tokenizer {
        try Tokenizer.load(w.bytes(), format: .gguf, name: "t.gguf")
    }

    func tokenizerError(_ w: GGUFTestWriter) -> TokenizerLoadingError? {
        do { _ = try loadTokenizer(w); return nil } catch { return error }
    }

    @Test func tokenizerMetadataErrors() {
        var w = GGUFTestWriter()
        w.add("general.architecture", .string(Array("llama".utf8)))
        #expect(tokenizerError(w)?.message == "metadata key tokenizer.ggml.model is missing: this GGUF file has no tokenizer")
        w.add("tokenizer.ggml.model", .string(Array("llama".utf8)))
        #expect(tokenizerError(w)?.message.contains("tokenizer.ggml.tokens is missing") == true)
        var v = w
        v.addArray("tokenizer.ggml.tokens", .int32, [.int32(1)])
        #expect(tokenizerError(v)?.message == "metadata key tokenizer.ggml.tokens: expected an array of string, found array of int32")
        w.addStrings("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>", "a"])
        v = w
        v.addArray("tokenizer.ggml.scores", .float32, [.float32(0)])
        #expect(tokenizerError(v)?.message == "metadata key tokenizer.ggml.scores: 1 scores for 4 tokens")
        v = w
        v.add("tokenizer.ggml.bos_token_id", .string(Array("1".utf8)))
        #expect(tokenizerError(v)?.message == "metadata key tokenizer.ggml.bos_token_id: expected a token id (uint32), found string")
        v = w
        v.add("tokenizer.ggml.add_bos_token", .uint8(1))
        #expect(tokenizerError(v)?.message == "metadata key tokenizer.ggml.add_bos_token: expected a bool, found uint8")
        #expect(tokenizerError(w) == nil)
    }

    @Test func unsupportedModelsAreNamed() {
        for model in ["rwkv", "plamo2", "gemma4", "whatever"] {
            var w = GGUFTestWriter()
            w.add("tokenizer.ggml.model", .string(Array(model.utf8)))
            w.addStrings("tokenizer.ggml.tokens", ["a", "b"])
            let error = tokenizerError(w)
            #expect(error?.kind == .unsupported)
            #expect(error?.message.contains("\"\(model)\"") == true)
        }
        var w = GGUFTestWriter()
        w.add("tokenizer.ggml.model", .string(Array("gpt2".utf8)))
        w.add("tokenizer.ggml.pre", .string(Array("kimi-k2".utf8)))
        w.addStrings("tokenizer.ggml.tokens", ["a", "b"])
        #expect(tokenizerError(w)?.kind == .unsupported)
        #expect(tokenizerError(w)?.description.contains("tokenizer.ggml.pre \"kimi-k2\" is not supported") == true)
        w = GGUFTestWriter()
        w.add("tokenizer.ggml.model", .string(Array("gpt2".utf8)))
        w.add("tokenizer.ggml.pre", .string(Array("gpt-2".utf8)))
        w.addStrings("tokenizer.ggml.tokens", ["a", "b"])
        #expect(tokenizerError(w)?.message == "metadata key tokenizer.ggml.merges is missing: required for tokenizer.ggml.model \"gpt2\"")
    }

    @Test func handBuiltSentencePieceVocabulary() throws {
        // ▁ab beats ▁a + b on score; unknown characters fall back to bytes; <s> is added.
        var w = GGUFTestWriter()
        w.add("tokenizer.ggml.model", .string(Array("llama".utf8)))
        let bytesTokens = (0..<256).map { String(format: "<0x%02X>", $0) }
        let tokens = ["<unk>", "<s>", "</s>"] + bytesTokens + ["▁", "a", "b", "▁a", "ab", "▁ab"]
        w.addStrings("tokenizer.ggml.tokens", tokens)
        w.addArray("tokenizer.ggml.scores", .float32, tokens.indices.map { .float32($0 < 259 ? 0 : -Float($0)) })
        w.addInt32s("tokenizer.ggml.token_type", tokens.indices.map { $0 == 0 ? 2 : ($0 < 3 ? 3 : ($0 < 259 ? 6 : 1)) })
        let tokenizer = try loadTokenizer(w)
        let id = { (t: String) in TokenID(tokens.firstIndex(of: t)!) }
        #expect(try tokenizer.encodeIDs("ab") == [1, id("▁ab")])
        #expect(try tokenizer.encodeIDs("ab é", addSpecialTokens: false) == [id("▁ab"), id("▁"), id("<0xC3>"), id("<0xA9>")])
        #expect(try tokenizer.encodeIDs("</s>ab", addSpecialTokens: false) == [2, id("ab")])
    }
}
