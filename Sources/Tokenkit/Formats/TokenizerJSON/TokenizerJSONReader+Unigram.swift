// tokenizer.json `{"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ...], "byte_fallback": false}`.
//
// Scores are parsed exactly as serde_json parses them in `tokenizers` (not correctly
// rounded: the decimal significand is converted to a double and then scaled by a power
// of ten, two roundings), because Viterbi ties depend on the last bit of the scores.

extension TokenizerJSONReader {
    func readUnigram(_ v: JSONValue, _ path: String) throws(TokenizerLoadingError) -> UnigramModel {
        let vocab = try array(v, "vocab", path)
        let vocabPath = JSONValue.joinPath(path, "vocab")
        var pieceBytes: [UInt8] = []
        var pieceStarts: [UInt32] = [0]
        var scores: [Double] = []
        scores.reserveCapacity(vocab.count)
        pieceStarts.reserveCapacity(vocab.count + 1)
        var index = -1
        try vocab.forEachElement { (entry) throws(TokenizerLoadingError) in
            index += 1
            guard entry.isArray, entry.count == 2, let piece = entry[0], let score = entry[1], piece.isString, score.isNumber else {
                throw malformed(entry, "field \(vocabPath)[\(index)]: expected a pair [piece, score], found \(entry.kind)")
            }
            guard let parsed = score.withSourceBytes({ serdeJSONDouble($0) }) else {
                throw malformed(score, "field \(vocabPath)[\(index)][1]: the score is out of range")
            }
            piece.withStringBytes { pieceBytes += $0 }
            pieceStarts.append(UInt32(pieceBytes.count))
            scores.append(parsed)
        }
        let unknownID = try int(v, "unk_id", path)
        let byteFallback = try bool(v, "byte_fallback", path, default: false)
        do {
            return try UnigramModel(pieceBytes: pieceBytes, pieceStarts: pieceStarts, scores: scores,
                                    unknownID: unknownID, byteFallback: byteFallback)
        } catch {
            throw malformed(v, "field \(path): \(error.description)")
        }
    }
}

private let serdePowersOfTen: [Double] = (0...308).map { Double("1e\($0)")! }

/// Parses a JSON number the way serde_json does by default (without its `float_roundtrip`
/// feature): up to 19–20 significant digits are accumulated in a u64 (further digits are
/// dropped, integer ones counted in the exponent), the u64 is converted to a double and
/// multiplied or divided by an exactly-rounded power of ten. Returns nil on overflow.
func serdeJSONDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
    var i = 0
    let n = text.count
    var negative = false
    if i < n && text[i] == UInt8(ascii: "-") { negative = true; i += 1 }
    @inline(__always) func digit(_ j: Int) -> UInt64? {
        guard j < n else { return nil }
        let d = text[j] &- UInt8(ascii: "0")
        return d < 10 ? UInt64(d) : nil
    }
    @inline(__always) func overflows(_ significand: UInt64, _ d: UInt64) -> Bool {
        significand >= UInt64.max / 10 && (significand > UInt64.max / 10 || d > UInt64.max % 10)
    }
    var significand: UInt64 = 0
    var exponent = 0
    var isInteger = true
    while let d = digit(i) {
        if overflows(significand, d) {
            // parse_long_integer: the remaining integer digits only scale the number.
            while digit(i) != nil { exponent += 1; i += 1 }
            isInteger = false
            break
        }
        significand = significand * 10 + d
        i += 1
    }
    if i < n && text[i] == UInt8(ascii: ".") {
        isInteger = false
        i += 1
        while let d = digit(i) {
            if overflows(significand, d) {
                while digit(i) != nil { i += 1 }
                break
            }
            significand = significand * 10 + d
            exponent -= 1
            i += 1
        }
    }
    if i < n && (text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E")) {
        isInteger = false
        i += 1
        var positive = true
        if i < n && text[i] == UInt8(ascii: "+") { i += 1 } else if i < n && text[i] == UInt8(ascii: "-") { positive = false; i += 1 }
        var e = 0
        var saturated = false
        while let d = digit(i) {
            if e >= Int(Int32.max) / 10 && (e > Int(Int32.max) / 10 || Int(d) > Int(Int32.max) % 10) { saturated = true }
            if !saturated { e = e * 10 + Int(d) }
            i += 1
        }
        if saturated {
            // parse_exponent_overflow: zero stays zero, a huge positive exponent overflows.
            if significand != 0 && positive { return nil }
            return negative ? -0.0 : 0.0
        }
        exponent += positive ? e : -e
    }
    if isInteger {
        // Integers are exact i64/u64 values, converted to f64 by the deserializer.
        return negative ? -Double(significand) : Double(significand)
    }
    var f = Double(significand)
    while true {
        let magnitude = exponent.magnitude
        if magnitude < UInt(serdePowersOfTen.count) {
            if exponent >= 0 {
                f *= serdePowersOfTen[Int(magnitude)]
                if f.isInfinite { return nil }
            } else {
                f /= serdePowersOfTen[Int(magnitude)]
            }
            break
        }
        if f == 0 { break }
        if exponent >= 0 { return nil }
        f /= 1e308
        exponent += 308
    }
    return negative ? -f : f
}
