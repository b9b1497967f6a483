import Testing
import Tokenkit

@Suite struct Base64Tests {
    private func decode(_ text: String) -> [UInt8]? { Base64.decode(text) }

    @Test func rfc4648Vectors() {
        let vectors = [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
        ]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(decode(encoded) == Array(plain.utf8), "\(encoded)")
        }
    }

    @Test func fullAlphabetAndBinary() {
        #expect(decode("+/+/") == [0xFB, 0xFF, 0xBF])
        #expect(decode("AAAA") == [0, 0, 0])
        #expect(decode("////") == [0xFF, 0xFF, 0xFF])
        // A tiktoken-style token: " the" → "IHRoZQ=="
        #expect(decode("IHRoZQ==") == Array(" the".utf8))
    }

    @Test func roundTripAllLengths() {
        var seed: UInt32 = 12345
        for length in 0...200 {
            let bytes = (0..<length).map { _ -> UInt8 in
                seed = seed &* 1_103_515_245 &+ 12345
                return UInt8(truncatingIfNeeded: seed >> 16)
            }
            let encoded = Base64.encode(bytes)
            #expect(encoded.utf8.count == (length + 2) / 3 * 4)
            #expect(decode(encoded) == bytes, "length \(length)")
        }
    }

    @Test func invalidCharacters() {
        for bad in ["Zm9v!AAA", "Zm 9", "Zm9v\n", "Zm-v", "Zm_v", "Zm9\u{e9}", "Zm9v\0AAA"] {
            #expect(decode(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func badLengthOrPadding() {
        for bad in ["Z", "Zm", "Zm9", "Zm9vY", "Zm9vYm", "Z===", "====", "Zm=v", "=Zm9", "Zm9v====",
                    "Zg==Zg==", "Zg=A", "Z=g=", "Zm9v=", "Zm9vZg="] {
            #expect(decode(bad) == nil, "\(bad)")
        }
    }

    /// Like Python's base64 module, unused low bits of the last character are ignored.
    @Test func nonCanonicalTrailingBitsAccepted() {
        #expect(decode("Zh==") == [0x66])
        #expect(decode("Zm9=") == [0x66, 0x6F])
    }

    @Test func appendsAndLeavesOutputUnchangedOnFailure() {
        var output: [UInt8] = [1, 2, 3]
        let good = Array("Zm9v".utf8)
        let ok = good.withUnsafeBufferPointer { Base64.decode($0, into: &output) }
        #expect(ok)
        #expect(output == [1, 2, 3] + Array("foo".utf8))

        let bad = Array("Zm9vYmFyZm9v!mFy".utf8)
        let failed = bad.withUnsafeBufferPointer { Base64.decode($0, into: &output) }
        #expect(!failed)
        #expect(output == [1, 2, 3] + Array("foo".utf8))

        var encoded: [UInt8] = Array("x=".utf8)
        Array("fo".utf8).withUnsafeBufferPointer { Base64.encode($0, into: &encoded) }
        #expect(String(decoding: encoded, as: UTF8.self) == "x=Zm8=")
    }

    @Test(.enabled(if: JSONSharedFiles.available("cl100k_base.tiktoken")))
    func decodesEveryTokenOfATiktokenFile() throws {
        let bytes = try JSONSharedFiles.read("cl100k_base.tiktoken")
        var decoded: [UInt8] = []
        var tokens = 0
        var failures = 0
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let ok = line[..<space].withUnsafeBufferPointer { Base64.decode($0, into: &decoded) }
            if !ok { failures += 1 }
            tokens += 1
        }
        #expect(tokens == 100_256)
        #expect(failures == 0)
        #expect(!decoded.isEmpty)
    }
}
