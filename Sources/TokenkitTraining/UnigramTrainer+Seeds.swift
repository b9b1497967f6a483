import Foundation
import Tokenkit

/// The training text after character selection: every character a dense symbol (2 + its index
/// in `alphabet`, which is sorted by code point so symbols compare as code points), rare
/// characters replaced by the unknown mark "▅".
struct UnigramTrainingText {
    /// Code point of each symbol from 2 on.
    var alphabet: [UInt32] = []
    /// Kept characters and their counts before replacement (`required_chars_`).
    var requiredCharacters: [(scalar: UInt32, count: Int64)] = []
    /// Distinct words in SentencePiece's EM order (count descending, then UTF-8 ascending).
    var words = PieceList()
    var wordCounts: [Int64] = []
    /// Seed pieces and their initial log probabilities.
    var seeds = PieceList()
    var seedScores: [Float] = []

    var alphabetSize: Int { alphabet.count + 2 }

    func symbol(of scalar: UInt32) -> UInt32? {
        var lo = 0, hi = alphabet.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if alphabet[mid] < scalar { lo = mid + 1 } else { hi = mid }
        }
        return lo < alphabet.count && alphabet[lo] == scalar ? UInt32(lo + 2) : nil
    }

    /// The UTF-8 of a symbol sequence.
    func utf8<C: Collection<UInt32>>(_ symbols: C) -> [UInt8] {
        var bytes: [UInt8] = []
        for symbol in symbols { UTF8.append(alphabet[Int(symbol) - 2], to: &bytes) }
        return bytes
    }
}

/// Symbols SentencePiece gives a meaning: "▁", the unknown mark "▅", the tab special pieces
/// become.
let whitespaceMark: UInt32 = 0x2581
let unknownMark: UInt32 = 0x2585
let boundaryMark: UInt32 = 0x09

extension UnigramTrainer {
    /// Steps 2 and 3: character coverage, rare characters replaced, words sorted, seed pieces.
    func prepare(_ corpus: consuming UnigramCorpus, progress: ProgressBar?) throws(Failure) -> UnigramTrainingText {
        var text = UnigramTrainingText()
        corpus.finishCounting()

        // Character counts (`chars_count`), required characters first.
        var counts = PairMap<Int64>(capacity: 4096, placeholder: 0)
        var allCount: Int64 = 0
        corpus.forEachEntry { word, _, count in
            word.forEachScalar { scalar in
                guard scalar != 0 else { return }
                counts.update(UInt64(scalar), default: 0) { $0 += Int64(count) }
                allCount += Int64(count)
            }
        }
        var required = Set<UInt32>()
        for scalar in requiredCharacters.unicodeScalars where scalar.value != 0 { required.insert(scalar.value) }
        var characters: [(scalar: UInt32, required: Bool, count: Int64)] = []
        counts.forEach { scalar, count in characters.append((UInt32(scalar), required.contains(UInt32(scalar)), count)) }
        for scalar in required where counts[UInt64(scalar)] == nil { characters.append((scalar, true, 0)) }
        characters.sort { a, b in
            a.required != b.required ? a.required : a.count != b.count ? a.count > b.count : a.scalar < b.scalar
        }
        var accumulated: Int64 = 0
        var kept = Set<UInt32>()
        for character in characters {
            // SentencePiece computes the coverage in double and compares it as a float.
            let coverage = Float(Double(accumulated) / Double(allCount))
            if coverage >= Float(characterCoverage) { break }
            accumulated += character.count
            if character.scalar == boundaryMark { continue }
            text.requiredCharacters.append((character.scalar, character.count))
            kept.insert(character.scalar)
        }
        guard text.requiredCharacters.count + metaPieces().count <= vocabularySize else {
            throw Failure(description: "the vocabulary size \(vocabularySize) is smaller than the \(text.requiredCharacters.count) "
                          + "characters to keep and \(metaPieces().count) special pieces; increase it or lower the character coverage")
        }
        text.requiredCharacters.sort { $0.count != $1.count ? $0.count > $1.count : $0.scalar < $1.scalar }

        // The alphabet after replacement.
        var alphabet = kept.filter { counts[UInt64($0)] != nil }
        alphabet.insert(unknownMark)
        text.alphabet = alphabet.sorted()
        var symbolOf = PairMap<UInt32>(capacity: text.alphabet.count * 2, placeholder: 0)
        for (index, scalar) in text.alphabet.enumerated() { symbolOf.update(UInt64(scalar), default: UInt32(index + 2)) { _ in } }
        let unknownSymbol = symbolOf[UInt64(unknownMark)]!
        let spaceSymbol = symbolOf[UInt64(whitespaceMark)] ?? unknownSymbol

        // The words with rare characters replaced, and the seed text: every (word, follower)
        // entry, then its follower ("▁" starting the next word, or the sentence end, 1).
        // Sized exactly (with room for the sentinel): the largest array of training.
        var seedText: [Int32] = []
        var entryStarts: [Int32] = []
        var entryCounts: [Int64] = []
        var seedLength = 0
        corpus.forEachEntry { word, _, _ in
            seedLength += 1
            word.forEachScalar { _ in seedLength += 1 }
        }
        guard seedLength < Int(Int32.max) else {
            throw Failure(description: "the corpus has too many distinct words for the suffix array (\(seedLength) characters; at most \(Int32.max))")
        }
        seedText.reserveCapacity(seedLength + 1)
        entryStarts.reserveCapacity(corpus.distinctEntryCount)
        entryCounts.reserveCapacity(corpus.distinctEntryCount)
        var wordCounter = ByteStringCounter()
        var characterTotals = [Int64](repeating: 0, count: text.alphabetSize)
        var symbols: [UInt32] = []
        var bytes: [UInt8] = []
        corpus.forEachEntry { word, followed, count in
            symbols.removeAll(keepingCapacity: true)
            word.forEachScalar { scalar in symbols.append(kept.contains(scalar) ? symbolOf[UInt64(scalar)]! : unknownSymbol) }
            entryStarts.append(Int32(seedText.count))
            entryCounts.append(Int64(count))
            for symbol in symbols {
                seedText.append(Int32(symbol))
                characterTotals[Int(symbol)] += Int64(count)
            }
            seedText.append(followed ? Int32(spaceSymbol) : 1)
            bytes.removeAll(keepingCapacity: true)
            for symbol in symbols { UTF8.append(text.alphabet[Int(symbol) - 2], to: &bytes) }
            bytes.withUnsafeBufferPointer { wordCounter.add($0, count: count) }
        }
        _ = consume corpus
        wordCounter.finishCounting()

        // EM words: count descending, then UTF-8 ascending (`Sorted`).
        var order: [(start: Int, length: Int, count: Int)] = []
        var wordBytes: [UInt8] = []
        wordCounter.forEach { word, count in
            order.append((wordBytes.count, word.count, count))
            wordBytes += word
        }
        wordBytes.withUnsafeBufferPointer { all in
            order.sort { a, b in
                if a.count != b.count { return a.count > b.count }
                return UnsafeBufferPointer(rebasing: all[a.start..<(a.start + a.length)])
                    .lexicographicallyPrecedes(UnsafeBufferPointer(rebasing: all[b.start..<(b.start + b.length)]))
            }
            for entry in order {
                symbols.removeAll(keepingCapacity: true)
                UnsafeBufferPointer(rebasing: all[entry.start..<(entry.start + entry.length)]).forEachScalar { symbols.append(symbolOf[UInt64($0)]!) }
                text.words.append(symbols)
                text.wordCounts.append(Int64(entry.count))
            }
        }
        order = []
        wordBytes = []

        // Seeds: every character (count descending, then code point), then the best substrings.
        var seedScores: [Float] = []
        var characterSeeds: [(symbol: UInt32, count: Int64)] = []
        for symbol in 2..<text.alphabetSize where symbol != Int(unknownSymbol) && characterTotals[symbol] > 0 {
            characterSeeds.append((UInt32(symbol), characterTotals[symbol]))
        }
        characterSeeds.sort { $0.count != $1.count ? $0.count > $1.count : $0.symbol < $1.symbol }
        for (symbol, count) in characterSeeds {
            text.seeds.append(CollectionOfOne(symbol))
            seedScores.append(Float(count))
        }
        progress?.begin("Seed pieces", total: 1)
        let substrings = frequentSubstrings(consume seedText, entryStarts: entryStarts, entryCounts: entryCounts, text: text)
        for substring in substrings {
            text.seeds.append(substring.symbols)
            seedScores.append(Float(substring.score))
        }
        progress?.advance(to: 1)
        progress?.finish()
        // `ToLogProb`: single-precision sum, logarithms in double.
        var sum: Float = 0
        for score in seedScores { sum += score }
        let logSum = Float(log(Double(sum)))
        text.seedScores = seedScores.map { Float(log(Double($0)) - Double(logSum)) }
        return text
    }

    /// The `seedSentencePieceSize` valid substrings of length 2 or more with the highest
    /// frequency × length, best first; equal scores in esaxx's node order (the order of the
    /// strings, a string after those it is a prefix of).
    private func frequentSubstrings(_ seedText: consuming [Int32], entryStarts: [Int32], entryCounts: [Int64],
                                    text: UnigramTrainingText) -> [(symbols: [UInt32], score: Int64)] {
        let properties = SymbolProperties(text: text, trainer: self)
        let array = SuffixArray(text: seedText, alphabetSize: text.alphabetSize)
        let symbols = array.text
        typealias Candidate = (start: Int32, length: Int32, score: Int64)
        func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.score != b.score { return a.score > b.score }
            let common = Int(min(a.length, b.length))
            for k in 0..<common {
                let x = symbols[Int(a.start) + k], y = symbols[Int(b.start) + k]
                if x != y { return x < y }
            }
            return a.length > b.length
        }
        let limit = seedSentencePieceSize
        var candidates: [Candidate] = []
        var threshold: Int64 = 0
        var bounded = false
        func shrink() {
            candidates.sort(by: precedes)
            if candidates.count > limit { candidates.removeLast(candidates.count - limit) }
            bounded = candidates.count == limit
            threshold = bounded ? candidates[limit - 1].score : 0
        }
        array.forEachRepeat(maximumDepth: maximumPieceLength, weight: { position in
            // The entry containing `position`: the last start at or before it.
            var lo = 0, hi = entryStarts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if entryStarts[mid] <= position { lo = mid + 1 } else { hi = mid }
            }
            return entryCounts[lo - 1]
        }) { start, length, weight in
            guard length >= 2 else { return }
            let score = weight * Int64(length)
            if bounded && score < threshold { return }
            guard properties.isValidPiece(symbols, start: Int(start), length: length) else { return }
            candidates.append((start, Int32(length), score))
            if candidates.count > 4 * limit { shrink() }
        }
        shrink()
        return candidates.map { candidate in
            (symbols[Int(candidate.start)..<Int(candidate.start + candidate.length)].map { UInt32($0) }, candidate.score)
        }
    }
}

/// What `IsValidSentencePiece` needs to know of each symbol.
struct SymbolProperties {
    /// Script per symbol after SentencePiece's adjustments (Hiragana, Katakana and U+30FC are
    /// Han); `inherited` takes the previous character's; `any` never conflicts.
    private var scripts: [Int]
    private var decimal: [Bool]
    private var forbidden: [Bool]
    private let space: UInt32?
    private let splitByWhitespace: Bool
    private let splitByUnicodeScript: Bool
    private let splitByNumber: Bool
    private let splitDigits: Bool
    private let maximumLength: Int
    private static let any = -1
    private static let inherited = -2

    init(text: UnigramTrainingText, trainer: UnigramTrainer) {
        let count = text.alphabetSize
        scripts = [Int](repeating: Self.any, count: count)
        decimal = [Bool](repeating: false, count: count)
        // Symbols 0 and 1 (sentinel, sentence end) are never part of a piece.
        forbidden = [Bool](repeating: true, count: count)
        for (index, scalar) in text.alphabet.enumerated() {
            let symbol = index + 2
            forbidden[symbol] = scalar == unknownMark || scalar == 0 || scalar == boundaryMark || scalar == 0x20
                || (scalar >= 0xD800 && scalar < 0xE000) || scalar > 0x10FFFF
            var script = UnicodeScriptLookup.script(of: scalar)
            if script == UnicodeScriptLookup.hiragana || script == UnicodeScriptLookup.katakana || scalar == 0x30FC {
                script = UnicodeScriptLookup.han
            } else if script == UnicodeScriptLookup.inherited {
                script = Self.inherited
            }
            scripts[symbol] = script
            decimal[symbol] = (0x30...0x39).contains(scalar) || (0xFF10...0xFF19).contains(scalar)
        }
        space = text.symbol(of: whitespaceMark)
        splitByWhitespace = trainer.splitByWhitespace
        splitByUnicodeScript = trainer.splitByUnicodeScript
        splitByNumber = trainer.splitByNumber
        splitDigits = trainer.splitDigits
        maximumLength = trainer.maximumPieceLength
    }

    /// `TrainerInterface::IsValidSentencePiece` (whitespace as a prefix, no whitespace-only pieces).
    func isValidPiece<C: RandomAccessCollection>(_ symbols: C, start: C.Index, length: Int) -> Bool
    where C.Element: BinaryInteger {
        if length == 0 || length > maximumLength { return false }
        var previous = Self.any
        var index = start
        for position in 0..<length {
            defer { index = symbols.index(after: index) }
            let symbol = Int(symbols[index])
            if forbidden[symbol] { return false }
            if let space, symbol == Int(space) {
                if position > 0 && (splitByWhitespace || position == length - 1) { return false }
                continue
            }
            var script = scripts[symbol]
            if script == Self.inherited { script = previous }
            if !splitByNumber && decimal[symbol] { script = Self.any }
            if splitDigits && decimal[symbol] && length > 1 { return false }
            if splitByUnicodeScript && script != Self.any && previous != Self.any && previous != script { return false }
            previous = script
        }
        return true
    }
}
