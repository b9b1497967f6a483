import Testing
import Tokenkit

@Suite struct SHA256Tests {
    private func hex(_ text: String) -> String {
        SHA256.hexDigest(Array(text.utf8))
    }

    @Test func fipsVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        #expect(SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Lengths around the padding boundaries (reference: Python hashlib).
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
        (127, "92ca0fa6651ee2f97b884b7246a562fa71250fedefe5ebf270d31c546bfea976"),
        (128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        let bytes = (0..<length).map { UInt8($0 % 251) }
        #expect(SHA256.hexDigest(bytes) == expected)
    }

    @Test func incrementalMatchesOneShot() {
        let bytes = (0..<300).map { UInt8(($0 * 7 + 3) % 256) }
        let expected = SHA256.hash(bytes)
        #expect(expected.count == 32)
        for split in 0...bytes.count {
            var hasher = SHA256()
            hasher.update(Array(bytes[..<split]))
            hasher.update(Array(bytes[split...]))
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
        var byteByByte = SHA256()
        for b in bytes { byteByByte.update([b]) }
        #expect(byteByByte.finalize() == expected)
    }

    @Test func hexHelper() {
        #expect(SHA256.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    @Test(.enabled(if: JSONSharedFiles.available("cl100k_base.tiktoken")))
    func cl100kTiktokenFile() throws {
        let bytes = try JSONSharedFiles.read("cl100k_base.tiktoken")
        #expect(SHA256.hexDigest(bytes) == "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7")
    }
}
