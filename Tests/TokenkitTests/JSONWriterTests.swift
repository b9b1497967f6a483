import Testing
import Tokenkit

private func written(_ body: (inout JSONWriter) -> Void) -> String {
    var writer = JSONWriter()
    body(&writer)
    return String(decoding: writer.bytes, as: UTF8.self)
}

@Suite struct JSONWriterTests {
    @Test func escapesMinimally() {
        #expect(written { $0.appendString("plain") } == #""plain""#)
        #expect(written { $0.appendString("q\"b\\s/") } == #""q\"b\\s/""#)
        #expect(written { $0.appendString("\n\r\t\u{8}\u{c}") } == #""\n\r\t\b\f""#)
        #expect(written { $0.appendString("\u{0}\u{1}\u{1F}\u{7F}") } == "\"\\u0000\\u0001\\u001f\u{7F}\"")
        // Non-ASCII, including U+2028/U+2029, stays raw UTF-8.
        #expect(written { $0.appendString("é世😀\u{2028}\u{2029}") } == "\"é世😀\u{2028}\u{2029}\"")
        #expect(written { $0.appendString("") } == #""""#)
    }

    @Test func everyControlCharacter() throws {
        let expected: [UInt8: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for c in UInt8(0)..<0x20 {
            let hex = String(c, radix: 16)
            let escape = expected[c] ?? "\\u00" + (hex.count == 1 ? "0" + hex : hex)
            let text = String(decoding: [UInt8(ascii: "a"), c, UInt8(ascii: "b")], as: UTF8.self)
            #expect(written { $0.appendString(text) } == "\"a\(escape)b\"")
            let back = try JSONDocument(bytes: Array(written { $0.appendString(text) }.utf8)).root.string
            #expect(back == text)
        }
    }

    @Test func stringRoundTrip() throws {
        var seed: UInt64 = 42
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        let pool: [Unicode.Scalar] = (0..<0x20).map { Unicode.Scalar($0) } + ["\"", "\\", "/", "a", "Z", " ", "é", "€", "\u{2028}", "😀", "𝄞", "\u{10FFFF}", "\u{FFFF}", "\u{7F}"]
        for length in 0..<200 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(pool[Int(next() % UInt64(pool.count))]) }
            let text = String(scalars)
            let json = written { $0.appendString(text) }
            let document = try JSONDocument(string: json)
            #expect(document.root.string == text)
            #expect(document.root.stringEquals(text))
        }
    }

    @Test func invalidUTF8IsReplaced() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0xA9, 0xE2, 0x82, 0x22, 0x0A]
        let json = written { w in bytes.withUnsafeBufferPointer { w.appendString(utf8: $0) } }
        #expect(json == "\"a\u{FFFD}bé\u{FFFD}\u{FFFD}\\\"\\n\"")
        #expect(try JSONDocument(string: json).root.string == "a\u{FFFD}bé\u{FFFD}\u{FFFD}\"\n")
        let long = Array(String(repeating: "abcdefgh", count: 10).utf8) + [0x80]
        let json2 = written { w in long.withUnsafeBufferPointer { w.appendString(utf8: $0) } }
        #expect(json2 == "\"" + String(repeating: "abcdefgh", count: 10) + "\u{FFFD}\"")
    }

    @Test func integers() throws {
        var values: [Int] = [0, 1, -1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 99_999, 100_000, 123_456, 199_997,
                             9_999_999, 10_000_000, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000,
                             Int(Int32.max), Int(Int32.min), Int.max, Int.min, Int.max - 1, Int.min + 1]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -power]
        }
        for value in values {
            #expect(written { $0.appendInt(value) } == String(value))
        }
        #expect(written { $0.appendIntArray(values) } == "[" + values.map(String.init).joined(separator: ",") + "]")
    }

    @Test func integerArrays() throws {
        #expect(written { $0.appendIntArray([Int]()) } == "[]")
        #expect(written { $0.appendIntArray([Int32(5)]) } == "[5]")
        #expect(written { $0.appendIntArray([UInt32(1), 2, 4_000_000_000]) } == "[1,2,4000000000]")
        #expect(written { $0.appendIntArray([Int32(-3), 0, 7]) } == "[-3,0,7]")
        #expect(written { $0.appendIntArray([UInt8(255)][...]) } == "[255]")
        // Longer than one internal block.
        let ids = (0..<1000).map { Int32(($0 * 7919) % 200_000) }
        let json = written { $0.appendIntArray(ids) }
        #expect(json == "[" + ids.map { String($0) }.joined(separator: ",") + "]")
        let parsed = try JSONDocument(string: json).root
        #expect(parsed.elements.map { Int32($0.int!) } == ids)
    }

    @Test func doubles() throws {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1.0, "1.0"), (-2.5, "-2.5"), (1e-05, "1e-05"), (1e16, "1e+16"),
            (0.0, "0.0"), (-0.0, "-0.0"), (123456.789, "123456.789"), (Double.leastNonzeroMagnitude, "5e-324"),
            (.nan, "null"), (.infinity, "null"), (-.infinity, "null"),
        ]
        for (value, text) in cases {
            #expect(written { $0.appendDouble(value) } == text)
        }
        var seed: UInt64 = 7
        for _ in 0..<1000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1
            let value = Double(bitPattern: seed)
            guard value.isFinite else { continue }
            let back = try JSONDocument(string: written { $0.appendDouble(value) }).root.double
            #expect(back == value)
        }
    }

    @Test func structureAndCommas() throws {
        let json = written { w in
            w.beginObject()
            w.appendKey("id")
            w.appendInt(7)
            w.appendKey("tokens" as StaticString)
            w.appendIntArray([1, 2, 3])
            w.appendKey("nested")
            w.beginArray()
            w.appendNull()
            w.appendBool(true)
            w.appendBool(false)
            w.beginObject()
            w.endObject()
            w.beginArray()
            w.endArray()
            w.appendString("x")
            w.appendDouble(0.5)
            w.endArray()
            w.appendKey("k\"ey")
            w.appendString("v")
            w.endObject()
            w.appendNewline()
            w.beginArray()
            w.endArray()
            w.appendNewline()
        }
        #expect(json == #"{"id":7,"tokens":[1,2,3],"nested":[null,true,false,{},[],"x",0.5],"k\"ey":"v"}"# + "\n[]\n")
        let firstLine = String(json.split(separator: "\n")[0])
        let parsed = try JSONDocument(string: firstLine).root
        #expect(parsed["k\"ey"]?.string == "v")
        #expect(parsed["nested"]?.count == 7)
    }

    @Test func echoesParsedValuesAndRawJSON() throws {
        let request = try JSONDocument(string: #"{"id": {"a": [1, "two"]}, "n": -1.5e3, "s": "\u00e9"}"#).root
        let json = written { w in
            w.beginObject()
            w.appendKey("id")
            w.appendJSON(request["id"]!)
            w.appendKey("n")
            w.appendJSON(request["n"]!)
            w.appendKey("s")
            w.appendJSON(request["s"]!)
            w.appendKey("raw")
            Array("[true]".utf8).withUnsafeBufferPointer { w.appendRawValue($0) }
            w.endObject()
        }
        #expect(json == #"{"id":{"a": [1, "two"]},"n":-1.5e3,"s":"\u00e9","raw":[true]}"#)
        #expect(try JSONDocument(string: json).root["s"]?.string == "é")
    }

    @Test func resetKeepsWriting() {
        var writer = JSONWriter(capacity: 64)
        writer.beginArray()
        writer.appendInt(1)
        writer.reset()
        writer.appendInt(2)
        writer.appendInt(3)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "2,3")
    }
}
