/// A small, fast, seedable pseudo-random generator (xoshiro256**, its state filled from the
/// seed by SplitMix64, as the xoshiro authors recommend).
///
/// Stochastic segmentation (BPE-dropout, subword regularization) takes its randomness from a
/// generator the caller passes in, so that a run is reproducible: the same seed and the same
/// inputs in the same order give the same tokens on every machine and Swift version. The
/// standard library's `SystemRandomNumberGenerator` cannot be seeded, and its `random(in:)`
/// helpers are not promised to draw the same way across releases, so the draws Tokenkit makes
/// go through `nextUnitDouble()` / `nextUnitFloat()` below, whose formulas are fixed here.
/// The sequences are Tokenkit's own: they do not reproduce SentencePiece's `std::mt19937`
/// samples or the Rust `rand` draws of `tokenizers`.
public struct SeededRandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }
}

extension RandomNumberGenerator {
    /// A uniform draw in [0, 1) from the top 53 bits of one `next()`.
    @inline(__always)
    mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform draw in [0, 1) from the top 24 bits of one `next()`.
    @inline(__always)
    mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }
}
