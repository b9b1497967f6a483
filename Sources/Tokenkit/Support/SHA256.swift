/// SHA-256 (FIPS 180-4), pure Swift. Used to recognise known vocabulary files
/// by content hash.
///
///     let digest = SHA256.hash(bytes)          // 32 bytes
///     let hex = SHA256.hexDigest(bytes)        // 64 lowercase hex digits
///
/// Incremental: `var h = SHA256(); h.update(part1); h.update(part2); h.finalize()`.
package struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Partial block (up to 63 bytes).
    private var buffer: [UInt8] = []
    private var totalLength: UInt64 = 0

    package init() {
        buffer.reserveCapacity(64)
    }

    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
        var n = bytes.count
        totalLength &+= UInt64(n)
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, n)
            buffer.append(contentsOf: UnsafeBufferPointer(start: p, count: take))
            p += take
            n -= take
            if buffer.count < 64 { return }
            buffer.withUnsafeBufferPointer { SHA256.compress(&state, $0.baseAddress!, blocks: 1) }
            buffer.removeAll(keepingCapacity: true)
        }
        let blocks = n / 64
        if blocks > 0 {
            SHA256.compress(&state, p, blocks: blocks)
            p += blocks * 64
            n -= blocks * 64
        }
        if n > 0 {
            buffer.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
    }

    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest. The hasher should not be updated afterwards.
    package mutating func finalize() -> [UInt8] {
        let bitLength = totalLength &* 8
        var tail = buffer
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBufferPointer { SHA256.compress(&state, $0.baseAddress!, blocks: $0.count / 64) }
        buffer.removeAll()
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in [state.0, state.1, state.2, state.3, state.4, state.5, state.6, state.7] {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    package static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Lowercase hex SHA-256 of `bytes`.
    package static func hexDigest(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(hash(bytes))
    }

    package static func hexDigest(_ bytes: [UInt8]) -> String {
        hex(hash(bytes))
    }

    /// Lowercase hex form of `bytes`.
    package static func hex(_ bytes: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        let d = digits.utf8Start
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(d[Int(b >> 4)])
            out.append(d[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: compression

    private static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ data: UnsafePointer<UInt8>, blocks: Int
    ) {
        let k = sha256RoundConstants
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { wBuffer in
            let w = wBuffer.baseAddress!
            var (h0, h1, h2, h3, h4, h5, h6, h7) = state
            var block = data
            for _ in 0..<blocks {
                for t in 0..<16 {
                    let q = block + t * 4
                    w[t] = UInt32(q[0]) << 24 | UInt32(q[1]) << 16 | UInt32(q[2]) << 8 | UInt32(q[3])
                }
                for t in 16..<64 {
                    let x = w[t - 15]
                    let y = w[t - 2]
                    let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3)
                    let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                // 8 rounds per iteration with rotating roles (no register shuffles).
                var t = 0
                while t < 64 {
                    sha256Round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                    sha256Round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                    sha256Round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                    sha256Round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                    sha256Round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                    sha256Round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                    sha256Round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                    sha256Round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                    t += 8
                }
                h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                block += 64
            }
            state = (h0, h1, h2, h3, h4, h5, h6, h7)
        }
    }
}

/// One round: `d += T1`, `h = T1 + T2` (the caller rotates the roles).
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
) {
    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
    let ch = g ^ (e & (f ^ g))
    let t1 = h &+ s1 &+ ch &+ kw
    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
    let maj = (a & b) | (c & (a | b))
    d &+= t1
    h = t1 &+ s0 &+ maj
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x >> n) | (x << (32 - n))
}

nonisolated(unsafe) private let sha256RoundConstants: UnsafePointer<UInt32> = {
    let values: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
    let table = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
    table.initialize(from: values, count: 64)
    return UnsafePointer(table)
}()
