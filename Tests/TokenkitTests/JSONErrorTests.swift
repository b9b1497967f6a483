import Testing
import Tokenkit

/// A malformed input, the expected message (a prefix or fragment) and position.
struct JSONErrorCase: CustomTestStringConvertible, Sendable {
    var input: [UInt8]
    var message: String
    var line: Int
    var column: Int
    var byteOffset: Int?

    init(_ input: String, _ message: String, line: Int = 1, column: Int, offset: Int? = nil) {
        self.input = Array(input.utf8)
        self.message = message
        self.line = line
        self.column = column
        self.byteOffset = offset
    }

    init(bytes: [UInt8], _ message: String, column: Int, offset: Int? = nil) {
        self.input = bytes
        self.message = message
        self.line = 1
        self.column = column
        self.byteOffset = offset
    }

    var testDescription: String { String(decoding: input, as: UTF8.self).debugDescription }
}

private func parseError(_ bytes: [UInt8]) -> JSONError? {
    do {
        _ = try JSONDocument(bytes: bytes)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String) -> JSONError? { parseError(Array(text.utf8)) }

@Suite struct JSONErrorTests {
    static let structure: [JSONErrorCase] = [
        .init("", "unexpected end of input: expected a JSON value", column: 1),
        .init("   ", "unexpected end of input: expected a JSON value", column: 4),
        .init("[", "unexpected end of input: expected a value", column: 2),
        .init("[1", "unexpected end of input: unterminated array (missing ']')", column: 1),
        .init("  [1, [2]", "unexpected end of input: unterminated array (missing ']')", column: 3),
        .init(#"{"a":1"#, "unexpected end of input: unterminated object (missing '}')", column: 1),
        .init(#"{"a""#, "unexpected end of input: expected ':' after object key", column: 5),
        .init(#"{"a":"#, "unexpected end of input: expected a value", column: 6),
        .init("{", "unexpected end of input: expected a string key", column: 2),
        .init("[1,]", "expected a value, found ']' (trailing comma?)", column: 4),
        .init("[1,\n  2,\n  ]", "expected a value, found ']' (trailing comma?)", line: 3, column: 3),
        .init(#"{"a":1,}"#, "expected a string key, found '}' (trailing comma?)", column: 8),
        .init(#"{"a":}"#, "expected a value, found '}'", column: 6),
        .init("[1 2]", "expected ',' or ']' after array element, found '2'", column: 4),
        .init("[1}", "expected ',' or ']' after array element, found '}'", column: 3),
        .init("{\n  \"a\": 1\n  \"b\": 2\n}", "expected ',' or '}' after object member, found '\"'", line: 3, column: 3),
        .init(#"{"a" 1}"#, "expected ':' after object key, found '1'", column: 6),
        .init("{1:2}", "expected a string key in double quotes, found '1'", column: 2),
        .init("{'a':1}", "expected a string key in double quotes, found \"'\"", column: 2),
        .init("['a']", "expected a value, found \"'\" (JSON strings use double quotes)", column: 2),
        .init("{,}", "expected a string key in double quotes, found ','", column: 2),
        .init("[1,,2]", "expected a value, found ','", column: 4),
        .init("1 2", "unexpected '2' after the end of the JSON value", column: 3),
        .init("[] x", "unexpected 'x' after the end of the JSON value", column: 4),
        .init("[1]]", "unexpected ']' after the end of the JSON value", column: 4),
        .init(#"{"a":1}}"#, "unexpected '}' after the end of the JSON value", column: 8),
        .init("[1,\r\n x]", "expected a value, found 'x'", line: 2, column: 2),
        .init("\u{FEFF}[]", "unexpected byte order mark (U+FEFF) at the start of the JSON text", column: 1),
        .init("\u{00A0}1", "expected a value, found byte 0xC2", column: 1),
        .init("[\u{0C}1]", "expected a value, found byte 0x0C", column: 2),
    ]

    static let literals: [JSONErrorCase] = [
        .init("tru", "invalid literal (expected 'true')", column: 1),
        .init("truex", "invalid literal (expected 'true')", column: 1),
        .init("[nul]", "invalid literal (expected 'null')", column: 2),
        .init("falsy", "invalid literal (expected 'false')", column: 1),
        .init("nan", "invalid literal (expected 'null')", column: 1),
        .init("True", "expected a value, found 'T'", column: 1),
        .init("Infinityx", "expected a value, found 'I'", column: 1),
        .init("NaNa", "expected a value, found 'N'", column: 1),
        .init("undefined", "expected a value, found 'u'", column: 1),
    ]

    static let numbers: [JSONErrorCase] = [
        .init("01", "invalid number: leading zeros are not allowed", column: 1),
        .init("[-01]", "invalid number: leading zeros are not allowed", column: 2),
        .init("-", "invalid number: expected a digit after '-'", column: 2),
        .init("-NaN", "invalid number: expected a digit after '-'", column: 2),
        .init("- 1", "invalid number: expected a digit after '-'", column: 2),
        .init("1.", "invalid number: expected a digit after the decimal point", column: 3),
        .init("1.e5", "invalid number: expected a digit after the decimal point", column: 3),
        .init(".5", "expected a value, found '.'", column: 1),
        .init("1e", "invalid number: expected a digit in the exponent", column: 3),
        .init("1e+", "invalid number: expected a digit in the exponent", column: 4),
        .init("[1E-x]", "invalid number: expected a digit in the exponent", column: 5),
        .init("+1", "expected a value, found '+'", column: 1),
        .init("0x10", "unexpected 'x' after the end of the JSON value", column: 2),
        .init("1.5.2", "unexpected '.' after the end of the JSON value", column: 4),
    ]

    static let strings: [JSONErrorCase] = [
        .init("\"abc", "unexpected end of input: unterminated string", column: 1),
        .init("[\"abc\\\"]", "unexpected end of input: unterminated string", column: 2),
        .init("\"abc\\", "unexpected end of input: unterminated string", column: 1),
        .init("\"a\tb\"", "unescaped control character U+0009 (tab) in string", column: 3),
        .init("\"a\nb\"", "unescaped control character U+000A (newline) in string", column: 3),
        .init("\"\u{1F}\"", "unescaped control character U+001F in string", column: 2),
        .init("\"0123456789abcdef\u{0}\"", "unescaped control character U+0000 in string", column: 18),
        .init(#""\x""#, #"invalid escape sequence '\x' in string"#, column: 2),
        .init(#""ab\'""#, #"invalid escape sequence '\'' in string"#, column: 4),
        .init(#""\U0041""#, #"invalid escape sequence '\U' in string"#, column: 2),
        .init(#""\u12""#, #"invalid \u escape: expected 4 hex digits"#, column: 2),
        .init(#""\u12G4""#, #"invalid \u escape: expected 4 hex digits"#, column: 2),
        .init(#""\u""#, #"invalid \u escape: expected 4 hex digits"#, column: 2),
        .init(#""\ud800""#, #"invalid \u escape: lone high surrogate \ud800 (not followed by a low surrogate escape)"#, column: 2),
        .init(#""x\uD800\u0041""#, #"invalid \u escape: lone high surrogate \ud800"#, column: 3),
        .init(#""\ud800\ud800""#, #"invalid \u escape: lone high surrogate \ud800"#, column: 2),
        .init(#""\ud800x""#, #"invalid \u escape: lone high surrogate \ud800"#, column: 2),
        .init(#""\ud800\u12""#, #"invalid \u escape: expected 4 hex digits"#, column: 8),
        .init(#""\udc00""#, #"invalid \u escape: lone low surrogate \udc00 (not preceded by a high surrogate)"#, column: 2),
        .init(#""\uDFFF\uD800""#, #"invalid \u escape: lone low surrogate \udfff"#, column: 2),
    ]

    static let utf8: [JSONErrorCase] = [
        .init(bytes: [0x22, 0xFF, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0x80, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0x61, 0xC0, 0x80, 0x22], "invalid UTF-8 in string", column: 3, offset: 2),
        .init(bytes: [0x22, 0xC1, 0xBF, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xE0, 0x80, 0x80, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xE2, 0x82, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8 in string", column: 2, offset: 1),
        .init(bytes: [0x22, 0xC3, 0xA9, 0xC3, 0x22], "invalid UTF-8 in string", column: 3, offset: 3),
        .init(bytes: [0x22] + Array("0123456789abcdefghij".utf8) + [0xFE] + Array("tail".utf8) + [0x22],
              "invalid UTF-8 in string", column: 22, offset: 21),
        .init(bytes: [0x5B, 0xC3, 0xA9, 0x5D], "expected a value, found byte 0xC3", column: 2, offset: 1),
    ]

    @Test(arguments: structure + literals + numbers + strings + utf8)
    func reportsErrorWithPosition(_ testCase: JSONErrorCase) throws {
        let error = try #require(parseError(testCase.input))
        #expect(error.message.hasPrefix(testCase.message), "\(error.message)")
        #expect(error.line == testCase.line, "\(error)")
        #expect(error.column == testCase.column, "\(error)")
        if let offset = testCase.byteOffset {
            #expect(error.byteOffset == offset)
        }
        #expect(error.description == "line \(error.line), column \(error.column): \(error.message)")
    }

    @Test func descriptionFormat() throws {
        let error = try #require(parseError("{\n  \"a\": 1\n  \"b\": 2\n}"))
        #expect(error.description == "line 3, column 3: expected ',' or '}' after object member, found '\"'")
        #expect(error.byteOffset == 13)
        let unlocated = JSONError(message: "cannot open 'x'", byteOffset: -1, line: 0, column: 0)
        #expect(unlocated.description == "cannot open 'x'")
    }

    @Test func columnsCountUnicodeScalars() throws {
        let error = try #require(parseError("[\"é😀\" x]"))
        #expect(error.column == 7)
        #expect(error.byteOffset == 10)
    }

    /// Valid inputs near the error cases.
    @Test func acceptsBoundaryCases() throws {
        let valid: [[UInt8]] = [
            Array(#""\uDBFF\uDFFF""#.utf8), Array(#""\ud83d\ude00""#.utf8), Array(#""\u0000""#.utf8),
            [0x22, 0x7F, 0x22], [0x22, 0xEF, 0xBF, 0xBF, 0x22], [0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22],
            [0x22, 0xED, 0x9F, 0xBF, 0x22], [0x22, 0xEE, 0x80, 0x80, 0x22], [0x22, 0xC2, 0x80, 0x22],
            Array("-0".utf8), Array("0.0e-0".utf8), Array("[0,-0.5,1E9]".utf8), Array("\"\u{2028}\"".utf8),
        ]
        for bytes in valid {
            #expect(parseError(bytes) == nil, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
        #expect(try JSONDocument(string: #""\uDBFF\uDFFF""#).root.string == "\u{10FFFF}")
    }

    // MARK: typed access

    @Test func typedAccessErrors() throws {
        let document = try JSONDocument(string: """
            {
              "model": {"type": "BPE", "vocab": [1], "dropout": null, "big": 99999999999999999999, "f": 1.5}
            }
            """)
        let root = document.root
        let model = try root.require("model", path: "")
        #expect(try model.requireString("type", path: "model") == "BPE")

        #expect { try model.require("vocab", path: "model").expectObject(path: "model.vocab") } throws: { error in
            (error as? JSONError)?.description
                == "line 2, column 37: field model.vocab: expected an object, found array"
        }
        #expect { try model.require("merges", path: "model") } throws: { error in
            (error as? JSONError)?.message == "field model: missing required member \"merges\""
        }
        #expect { try root.requireString("name", path: "") } throws: { error in
            (error as? JSONError)?.message == "top-level value: missing required member \"name\""
        }
        #expect { try model.requireInt("type", path: "model") } throws: { error in
            (error as? JSONError)?.message == "field model.type: expected an integer, found string \"BPE\""
        }
        #expect { try model.requireInt("f", path: "model") } throws: { error in
            (error as? JSONError)?.message == "field model.f: expected an integer, found number 1.5"
        }
        #expect { try model.requireInt("big", path: "model") } throws: { error in
            (error as? JSONError)?.message == "field model.big: integer 99999999999999999999 out of range"
        }
        #expect { try model.requireBool("dropout", path: "model") } throws: { error in
            (error as? JSONError)?.message == "field model.dropout: expected true or false, found null"
        }
        let vocab = try #require(model["vocab"])
        let custom = vocab.typeMismatch(expected: "an object of token → id", path: "model.vocab")
        #expect(custom.message == "field model.vocab: expected an object of token → id, found array")
        #expect(custom.line == 2 && custom.column == 37)
        #expect(model.optional("dropout") == nil)
        #expect(model.optional("missing") == nil)
        #expect(model.optional("type")?.string == "BPE")
        #expect(try model.require("f", path: "model").expectDouble(path: "model.f") == 1.5)
        #expect(JSONValue.joinPath("", "model") == "model")
        #expect(JSONValue.joinPath("model", "vocab") == "model.vocab")
    }
}
