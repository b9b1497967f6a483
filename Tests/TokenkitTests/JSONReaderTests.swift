import Foundation
import Testing
import Tokenkit

private func parse(_ text: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws -> JSONValue {
    try JSONDocument(string: text, maxDepth: maxDepth).root
}

@Suite struct JSONReaderTests {
    // MARK: scalars and containers

    @Test func scalars() throws {
        #expect(try parse("null").isNull)
        #expect(try parse("null").kind == .null)
        #expect(try parse("true").bool == true)
        #expect(try parse(" false ").bool == false)
        #expect(try parse("42").int == 42)
        #expect(try parse("\"hi\"").string == "hi")
        #expect(try parse("\t\r\n 7 \n").int == 7)
        let value = try parse("true")
        #expect(value.int == nil && value.string == nil && value.double == nil && !value.isNull)
        #expect(value.count == 0)
        #expect(Array(value.elements).isEmpty)
        #expect(value["a"] == nil && value[0] == nil)
    }

    @Test func emptyContainers() throws {
        for text in ["[]", "[ ]", "[\n\t]", "{}", "{ }", "{\r\n}"] {
            let value = try parse(text)
            #expect(value.count == 0, "\(text)")
            #expect(Array(value.elements).isEmpty)
            #expect(Array(value.members).isEmpty)
        }
        let nested = try parse("[[], {}, [[]], {\"a\": {}}]")
        #expect(nested.count == 4)
        #expect(nested.elements.map(\.kind) == [.array, .object, .array, .object])
        #expect(nested[2]?[0]?.count == 0)
        #expect(nested[3]?["a"]?.isObject == true)
    }

    @Test func arraysAndSiblingSkipping() throws {
        let value = try parse(#"[1, [2, [3, {"x": [4]}]], "five", {"six": 6}, null, true]"#)
        #expect(value.kind == .array)
        #expect(value.count == 6)
        let kinds = value.elements.map(\.kind)
        #expect(kinds == [.number, .array, .string, .object, .null, .bool])
        #expect(value[0]?.int == 1)
        #expect(value[1]?[1]?[1]?["x"]?[0]?.int == 4)
        #expect(value[2]?.string == "five")
        #expect(value[3]?["six"]?.int == 6)
        #expect(value[5]?.bool == true)
        #expect(value[6] == nil)
        #expect(value[-1] == nil)
        var visited: [JSONValue.Kind] = []
        value.forEachElement { visited.append($0.kind) }
        #expect(visited == kinds)
    }

    @Test func objectsInDocumentOrder() throws {
        let value = try parse(#"{"b": 1, "a": [1, 2], "c": {"d": null}, "": "empty"}"#)
        #expect(value.count == 4)
        let keys = value.members.map { $0.key.string ?? "?" }
        #expect(keys == ["b", "a", "c", ""])
        #expect(value["a"]?.count == 2)
        #expect(value["c"]?["d"]?.isNull == true)
        #expect(value[""]?.string == "empty")
        #expect(value["missing"] == nil)
        var forEachKeys: [String] = []
        value.forEachMember { key, _ in forEachKeys.append(key.string!) }
        #expect(forEachKeys == keys)
    }

    @Test func duplicateKeysLastWins() throws {
        let value = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value["a"]?.int == 3)
        #expect(value.count == 3)
        #expect(value.members.map { $0.value.int! } == [1, 2, 3])
        // Escaped and plain spellings of the same key are the same key.
        let escaped = try parse(#"{"k": 1, "\u006b": 2}"#)
        #expect(escaped["k"]?.int == 2)
    }

    @Test func largeContainers() throws {
        let count = 100_000
        let text = "[" + (0..<count).map(String.init).joined(separator: ",") + "]"
        let value = try parse(text)
        #expect(value.count == count)
        var sum = 0
        for element in value.elements { sum += element.int! }
        #expect(sum == count * (count - 1) / 2)
    }

    // MARK: strings

    @Test func escapes() throws {
        let value = try parse(#""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC \ud83d\ude00 \u0000 end""#)
        #expect(value.string == "q\" b\\ s/ \u{8}\u{c}\n\r\t Aé€ 😀 \u{0} end")
        #expect(value.stringBytes == Array("q\" b\\ s/ \u{8}\u{c}\n\r\t Aé€ 😀 \u{0} end".utf8))
    }

    @Test func rawUnicode() throws {
        let text = "\"héllo 世界 😀 \u{2028} \u{10FFFF}\""
        let value = try parse(text)
        #expect(value.string == "héllo 世界 😀 \u{2028} \u{10FFFF}")
    }

    @Test func stringBytesZeroCopyAndDecoded() throws {
        let document = try JSONDocument(string: #"["plain", "esc\naped"]"#)
        let plain = try #require(document.root[0])
        let sourceBase = document.withBytes { UInt(bitPattern: $0.baseAddress) }
        // No escapes: a slice of the source text.
        let pointer = plain.withStringBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(pointer == sourceBase + 2)
        #expect(plain.withStringBytes { Array($0) } == Array("plain".utf8))
        let escaped = try #require(document.root[1])
        #expect(escaped.withStringBytes { Array($0) } == Array("esc\naped".utf8))
        #expect(try parse("1").withStringBytes { $0.count } == nil)
    }

    @Test func stringEquality() throws {
        let value = try parse(#"["abc", "a\u0062c", "", "é", "\u00e9x"]"#)
        #expect(value[0]!.stringEquals("abc"))
        #expect(value[0]!.stringEquals("abc" as StaticString))
        #expect(!value[0]!.stringEquals("abd"))
        #expect(!value[0]!.stringEquals("ab"))
        #expect(!value[0]!.stringEquals("abcd"))
        #expect(value[1]!.stringEquals("abc"))
        #expect(value[1]!.stringEquals("abc" as StaticString))
        #expect(!value[1]!.stringEquals("abcd"))
        #expect(value[2]!.stringEquals(""))
        #expect(value[3]!.stringEquals("é"))
        #expect(value[4]!.stringEquals("éx"))
        #expect(!value[4]!.stringEquals("é"))
        #expect(!(try parse("1")).stringEquals("1"))
        let bytes: [UInt8] = Array("abc".utf8)
        #expect(bytes.withUnsafeBufferPointer { value[1]!.stringEquals($0) })
    }

    @Test func longStrings() throws {
        let long = String(repeating: "abcdefghij", count: 1000) + "é" + String(repeating: "z", count: 7)
        #expect(try parse("\"\(long)\"").string == long)
        let escapedLong = String(repeating: "a\\n", count: 5000)
        #expect(try parse("\"\(escapedLong)\"").string == String(repeating: "a\n", count: 5000))
    }

    // MARK: numbers

    @Test func integers() throws {
        #expect(try parse("0").int == 0)
        #expect(try parse("-0").int == 0)
        #expect(try parse("123456789").int == 123_456_789)
        #expect(try parse("-42").int == -42)
        #expect(try parse("9223372036854775807").int == Int.max)
        #expect(try parse("-9223372036854775808").int == Int.min)
        #expect(try parse("999999999999999999").int == 999_999_999_999_999_999)
        #expect(try parse("9223372036854775808").int == nil)
        #expect(try parse("-9223372036854775809").int == nil)
        #expect(try parse("99999999999999999999999").int == nil)
        #expect(try parse("9223372036854775808").double == 9_223_372_036_854_775_808.0)
        // Only integer literals are ints (like serde_json's as_i64).
        #expect(try parse("1.0").int == nil)
        #expect(try parse("1e2").int == nil)
        #expect(try parse("1.5").int == nil)
    }

    @Test func doubles() throws {
        let cases: [(String, Double)] = [
            ("0", 0), ("1.5", 1.5), ("-2.25", -2.25), ("1e2", 100), ("1E+2", 100), ("1e-2", 0.01),
            ("0.1", 0.1), ("3.141592653589793", 3.141592653589793), ("1.7976931348623157e308", 1.7976931348623157e308),
            ("5e-324", Double.leastNonzeroMagnitude), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("123456789012345678901234567890", 1.2345678901234568e29),
            ("0.30000000000000004", 0.30000000000000004), ("9007199254740993", 9_007_199_254_740_992), ("1e22", 1e22), ("1e23", 1e23),
            ("-0.0", -0.0), ("0e999", 0), ("1e-400", 0),
        ]
        for (text, expected) in cases {
            let value = try parse(text)
            #expect(value.kind == .number)
            #expect(value.double == expected, "\(text)")
        }
        #expect(try parse("-0.0").double?.sign == .minus)
        #expect(try parse("1e400").double == .infinity)
        #expect(try parse("\"1\"").double == nil)
    }

    @Test func nanAndInfinity() throws {
        let value = try parse("[NaN, Infinity, -Infinity]")
        #expect(value.elements.map(\.kind) == [.number, .number, .number])
        #expect(value[0]?.double?.isNaN == true)
        #expect(value[1]?.double == .infinity)
        #expect(value[2]?.double == -.infinity)
        #expect(value[0]?.int == nil && value[1]?.int == nil)
        #expect(try parse("NaN").double?.isNaN == true)
        #expect(try parse("-Infinity").double == -.infinity)
    }

    // MARK: nesting

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try parse(ok).kind == .array)
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONError.self) { try parse(tooDeep) }
        let objects = String(repeating: #"{"a":"#, count: 600) + "1" + String(repeating: "}", count: 600)
        #expect(throws: JSONError.self) { try parse(objects) }
        #expect(try parse(objects, maxDepth: 600)["a"]?["a"]?.isObject == true)
        #expect(throws: JSONError.self) { try parse("[[[1]]]", maxDepth: 2) }
        #expect(try parse("[[1]]", maxDepth: 2)[0]?[0]?.int == 1)
        // Huge depth: an error, not a stack overflow.
        let huge = String(repeating: "[", count: 1_000_000)
        #expect(throws: JSONError.self) { try parse(huge) }
        #expect(throws: JSONError.self) { try parse(huge, maxDepth: 2_000_000) }
    }

    // MARK: positions and source

    @Test func locationsAndSource() throws {
        let document = try JSONDocument(string: "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"é\": 2.5 }")
        let root = document.root
        #expect(root.byteOffset == 0)
        let a = try #require(root["a"])
        #expect(a.location() == (line: 2, column: 8))
        #expect(a.sourceRange == 9..<24)
        #expect(a.withSourceBytes { String(decoding: $0, as: UTF8.self) } == #"[1, {"b": "x"}]"#)
        #expect(a[1]?.withSourceBytes { String(decoding: $0, as: UTF8.self) } == #"{"b": "x"}"#)
        #expect(a[1]?["b"]?.withSourceBytes { String(decoding: $0, as: UTF8.self) } == #""x""#)
        let e = try #require(root["é"])
        #expect(e.location() == (line: 3, column: 8))
        #expect(e.withSourceBytes { String(decoding: $0, as: UTF8.self) } == "2.5")
        #expect(root.withSourceBytes { $0.count } == document.bytes.count)
        let key = try #require(root.members.map(\.key).last)
        #expect(key.location() == (line: 3, column: 3))
    }

    // MARK: documents and parser reuse

    @Test func parserReuseKeepsEarlierDocumentsValid() throws {
        var parser = JSONParser()
        let first = try parser.parse(#"{"id": 1, "text": "first"}"#)
        let second = try parser.parse(#"{"id": 2, "text": "second, longer text"}"#)
        #expect(first.root["id"]?.int == 1)
        #expect(first.root["text"]?.string == "first")
        #expect(second.root["text"]?.string == "second, longer text")
        for i in 0..<1000 {
            let line = Array("{\"id\": \(i), \"xs\": [\(i), \(i + 1)]}".utf8)
            let document = try line.withUnsafeBufferPointer { try parser.parse($0) }
            #expect(document.root["id"]?.int == i)
            #expect(document.root["xs"]?[1]?.int == i + 1)
        }
        #expect(throws: JSONError.self) { try parser.parse("[1,") }
        #expect(try parser.parse("[1]").root[0]?.int == 1)
        #expect(try parser.parse(Array("[2]".utf8)[...]).root[0]?.int == 2)
        // Buffers are reused once the previous document is gone.
        func textAddress(_ document: JSONDocument) -> UInt { document.withBytes { UInt(bitPattern: $0.baseAddress) } }
        let address1 = try textAddress(parser.parse("[1, 2, 3]"))
        let address2 = try textAddress(parser.parse("[4, 5]"))
        #expect(address1 == address2)
        let kept = try parser.parse("[6]")
        let address3 = try textAddress(parser.parse("[7]"))
        #expect(address3 != textAddress(kept))
        #expect(kept.root[0]?.int == 6)
        // A smaller depth limit still applies after deeper documents were parsed.
        _ = try parser.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100))
        parser.maxDepth = 3
        #expect(throws: JSONError.self) { try parser.parse("[[[[1]]]]") }
        #expect(try parser.parse("[[[1]]]").root[0]?[0]?[0]?.int == 1)
    }

    @Test func documentKeepsTheArrayWithoutCopying() throws {
        var bytes = Array(#"{"k": "v"}"#.utf8)
        let arrayAddress = bytes.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
        let document = try JSONDocument(bytes: bytes)
        #expect(document.withBytes { UInt(bitPattern: $0.baseAddress) } == arrayAddress)
        // Mutating the caller's array does not affect the document (copy on write).
        bytes[7] = UInt8(ascii: "X")
        #expect(document.root["k"]?.string == "v")
        #expect(throws: JSONError.self) { try JSONDocument(bytes: []) }
    }

    @Test func valuesAreSendable() async throws {
        let document = try JSONDocument(string: #"{"a": [1, 2, 3]}"#)
        let a = try #require(document.root["a"])
        let sum = await Task.detached { a.elements.reduce(0) { $0 + ($1.int ?? 0) } }.value
        #expect(sum == 6)
    }

    @Test func readsFiles() throws {
        let directory = NSTemporaryDirectory() + "tokenkit-json-tests-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let small = directory + "/small.json"
        try Data(#"{"a": [1, 2]}"#.utf8).write(to: URL(fileURLWithPath: small))
        #expect(try JSONDocument(contentsOfFile: small).root["a"]?[1]?.int == 2)
        #expect(try JSONDocument.readFile(small) == Array(#"{"a": [1, 2]}"#.utf8))

        // Large enough to be memory-mapped.
        let big = directory + "/big.json"
        let text = "[" + (0..<50_000).map { "\"s\($0)\"" }.joined(separator: ", ") + "]"
        try Data(text.utf8).write(to: URL(fileURLWithPath: big))
        let document = try JSONDocument(contentsOfFile: big)
        #expect(document.root.count == 50_000)
        #expect(document.root[49_999]?.string == "s49999")
        #expect(document.bytes.count == text.utf8.count)

        let invalid = directory + "/invalid.json"
        try Data("[1,\n 2,,]".utf8).write(to: URL(fileURLWithPath: invalid))
        #expect { try JSONDocument(contentsOfFile: invalid) } throws: { error in
            (error as? JSONError)?.line == 2 && (error as? JSONError)?.column == 4
        }

        #if os(Linux)
        // Size reported as 0: read until EOF.
        #expect(try JSONDocument.readFile("/proc/self/status").count > 100)
        #endif

        for path in [directory + "/missing.json", directory] {
            #expect { try JSONDocument(contentsOfFile: path) } throws: { error in
                guard let error = error as? JSONError else { return false }
                return error.line == 0 && error.byteOffset == -1 && error.description.contains(path)
            }
        }
    }
}
