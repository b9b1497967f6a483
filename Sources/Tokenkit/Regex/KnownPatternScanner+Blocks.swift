// Performance notes: for GPT-2's pattern, the cl100k family (cl100k in both
// dialects, Llama 3, Qwen) and o200k, ASCII text is split 64 bytes at a time. Seven class masks of the block
// (AVX-512, AVX2 or SSE2, chosen at run time: `tokenkit_best_ascii_classifier`)
// give every match start in one pass of
// bit algebra, with no branch per match, so the cost no longer depends on how
// unpredictable the sequence of letters, spaces and punctuation is. The rules
// below are the alternation's outcome restated per position; they hold because
// no alternative looks behind its start, so from any match start the matches
// are those of the text that begins there. Bytes the block cannot decide (from
// the first non-ASCII byte, and the match still open at the block's end) are
// left to the next block or to the byte-at-a-time scanner.

import CTokenkitSupport

extension KnownPatternScanner {
    /// The classifier of 64-byte blocks for this CPU.
    nonisolated(unsafe) static let asciiClassifier: tokenkit_ascii_classifier = tokenkit_best_ascii_classifier()
}

extension ScannerCore {
    /// Whether the family's ASCII matches are found a block at a time: GPT-2, the cl100k family
    /// and o200k, whose rules `blockMatchEnds` restates.
    @inline(__always)
    static var scansBlocks: Bool {
        #if !arch(x86_64)
        // (Elsewhere the classifier is a portable loop, slower than the byte-at-a-time scanner.)
        return false
        #endif
        switch R.words {
        case .prefixThenLetters:
            return R.newlineRule && !R.spaceBeforeDigits && R.punctuation == .trailingNewlines && R.contractions == .caseInsensitive
        case .casedWithContractionSuffix:
            return R.newlineRule && !R.spaceBeforeDigits && R.punctuation == .trailingNewlinesAndSlashes && R.contractions == .none
        case .spaceThenLetters:
            return !R.newlineRule && R.spaceBeforeDigits && R.punctuation == .plain && R.contractions == .caseSensitive
                && R.maximumDigits == Int.max
        }
    }

    /// The ends of the matches that the 64 bytes of the padded text `p` from `s` (a match start)
    /// decide: bit i set when a match ends at s + i, so the highest bit is where the next block
    /// starts; zero when none is decided (a non-ASCII byte at `s`, or one match covering the
    /// block). Also returns the block's non-ASCII bytes as a mask.
    @inline(__always)
    static func blockMatchEnds(_ p: UnsafePointer<UInt8>, at s: Int,
                               classifier: tokenkit_ascii_classifier) -> (ends: UInt64, nonASCII: UInt64) {
        var c = tokenkit_ascii_classes()
        classifier(p + s, &c)
        // Only the bytes before the first non-ASCII one are classified here.
        let valid = c.nonASCII == 0 ? UInt64.max : (c.nonASCII & (0 &- c.nonASCII)) &- 1
        guard valid > 1 else { return (0, c.nonASCII) }
        if R.words == .spaceThenLetters { return (gpt2MatchEnds(c, valid, p + s), c.nonASCII) }
        let cased = R.words == .casedWithContractionSuffix
        let letter = c.letter & valid, digit = c.digit & valid, whitespace = c.whitespace & valid
        let lineBreak = c.lineBreak & valid, space = c.space & valid
        let other = valid & ~(letter | digit | whitespace)     // [^\s\p{L}\p{N}]
        let horizontal = whitespace & ~lineBreak
        let nonSpace = valid & ~whitespace
        // What a punctuation match takes after its run (`[\r\n]*`, o200k `[\r\n/]*`) from the
        // first line break after it: found by letting a carry run from there through the trailer.
        // (o200k's trailer may hold several breaks after slashes, so there the seeds are smeared.)
        let absorbedFirst = lineBreak & (other &<< 1)
        let absorbed = cased ? smearUp(absorbedFirst, within: lineBreak | (c.slash & valid))
                             : lineBreak & ~((lineBreak &+ absorbedFirst) & lineBreak)
        let punctuation = other & ~absorbed
        let punctuationOrSpace = punctuation | space
        // The rest of the whitespace: segments, each split by the `\s` rules.
        let segment = whitespace & ~absorbed
        let segmentStarts = segment & ~(segment &<< 1)
        // The runs of horizontal space that end their segment before a non-space.
        let tail = smearDown(horizontal & (nonSpace &>> 1), within: horizontal)

        var starts: UInt64 = 1 | segmentStarts
        // `\s*[\r\n]` takes a segment through its last line break; the space after it starts a match.
        starts |= horizontal & ((lineBreak & segment) &<< 1) & tail
        // `\s+(?!\S)` leaves the last space before a non-space to the next match.
        starts |= horizontal & (horizontal &<< 1) & (nonSpace &>> 1)
        // Letters continue a run or take one prefix byte (a space or punctuation that starts a
        // match: punctuation after punctuation or a space is inside a punctuation match).
        starts |= letter & (((digit | lineBreak | absorbed) &<< 1) | ((punctuation &<< 1) & (punctuationOrSpace &<< 2)))
        // o200k: `[A-Z]*[a-z]+` and `[A-Z]+[a-z]*` end a word where upper case follows lower.
        if cased { starts |= c.upper & ((letter & ~c.upper) &<< 1) }
        // Punctuation continues a run or follows the space it takes.
        starts |= punctuation & ~(punctuationOrSpace &<< 1)
        starts |= digit & ~(digit &<< 1)
        if R.maximumDigits == 1 {
            starts |= digit
        } else if R.maximumDigits < 64, hasLongDigitRun(digit) {
            starts |= digitGroupStarts(digit)
        }
        if cased {
            // o200k: a contraction after a word belongs to it.
            let apostrophes = c.apostrophe & valid & (letter &<< 1)
            if apostrophes != 0 { starts = withContractionSuffixes(p + s, apostrophes, starts) }
        } else {
            // An apostrophe that starts a match and its letters are one match.
            let apostrophes = c.apostrophe & valid & ~(punctuationOrSpace &<< 1)
            if apostrophes != 0 { starts |= contractionEnds(p + s, apostrophes) }
        }

        return (decided(starts, segment: segment, segmentStarts: segmentStarts, valid: valid), c.nonASCII)
    }

    /// The match ends a block decides, from its match starts: all but the block's own start, up
    /// to the start of a whitespace segment that reaches the last classified byte (it may go
    /// on beyond it, so its start is the last match start the block decides).
    @inline(__always)
    static func decided(_ starts: UInt64, segment: UInt64, segmentStarts: UInt64, valid: UInt64) -> UInt64 {
        var starts = starts
        let top = 63 &- valid.leadingZeroBitCount
        if segment &>> UInt64(top) & 1 != 0 {
            let lastSegment = 63 &- segmentStarts.leadingZeroBitCount
            starts &= (UInt64(2) &<< UInt64(lastSegment)) &- 1
        }
        return starts & ~1
    }

    /// `starts` with the bytes from `first` to `end` made one match: no match starts in
    /// first..<end, one starts at `end` (when it is in the block).
    @inline(__always)
    static func oneMatch(_ starts: UInt64, from first: Int, to end: Int) -> UInt64 {
        let fromFirst = first >= 64 ? 0 : UInt64.max &<< UInt64(first)
        let inside = end >= 64 ? fromFirst : fromFirst & ((1 &<< UInt64(end)) &- 1)
        return starts & ~inside | (end < 64 ? 1 &<< UInt64(end) : 0)
    }

    /// `blockMatchEnds` for GPT-2's pattern (`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
    /// ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`): letters, digits and punctuation continue their run or
    /// take the one space before them; whitespace runs start a match, and so does their last byte
    /// before a non-space; a contraction at a match start is one match.
    @inline(__always)
    static func gpt2MatchEnds(_ c: tokenkit_ascii_classes, _ valid: UInt64, _ q: UnsafePointer<UInt8>) -> UInt64 {
        let letter = c.letter & valid, digit = c.digit & valid, whitespace = c.whitespace & valid
        let space = c.space & valid
        let other = valid & ~(letter | digit | whitespace)
        let nonSpace = valid & ~whitespace
        let runStarts = whitespace & ~(whitespace &<< 1)
        var starts: UInt64 = 1 | runStarts
        starts |= whitespace & (whitespace &<< 1) & (nonSpace &>> 1)
        starts |= letter & ~((letter | space) &<< 1)
        starts |= digit & ~((digit | space) &<< 1)
        starts |= other & ~((other | space) &<< 1)
        var apostrophes = c.apostrophe & valid & ~((other | space) &<< 1)
        while apostrophes != 0 {
            let i = apostrophes.trailingZeroBitCount
            apostrophes &= apostrophes &- 1
            let end = asciiContraction(at: i, q, caseInsensitive: false)
            // (-1: a non-ASCII byte right after; the match at the apostrophe is then the open one.)
            guard end > 0 else { continue }
            starts = oneMatch(starts, from: i &+ 1, to: end)
        }
        return decided(starts, segment: whitespace, segmentStarts: runStarts, valid: valid)
    }

    /// The match starts `starts` with the contractions at `apostrophes` (each right after a
    /// letter, in the block at `q`) joined to the word before: no match starts at the apostrophe
    /// or inside the contraction, one starts right after it (a word takes one contraction). When a non-ASCII byte would decide
    /// (`ſ` folds to `s`), the block gives up from the word's start on.
    static func withContractionSuffixes(_ q: UnsafePointer<UInt8>, _ apostrophes: UInt64, _ starts: UInt64) -> UInt64 {
        var starts = starts
        var remaining = apostrophes
        var previousEnd = -1
        while remaining != 0 {
            let i = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            // Right after a contraction the word has ended: this apostrophe starts a match.
            if i == previousEnd { continue }
            let end = asciiContraction(at: i, q, caseInsensitive: true)
            if end == 0 { continue }
            previousEnd = end
            if end < 0 {
                let word = 63 &- (starts & ((1 &<< UInt64(i)) &- 1)).leadingZeroBitCount
                return starts & ((UInt64(2) &<< UInt64(word)) &- 1)
            }
            starts = oneMatch(starts, from: i, to: end)
        }
        return starts
    }

    /// `seeds` extended to the higher bits of `mask` that follow them without a gap (six steps
    /// of doubling distance).
    @inline(__always)
    static func smearUp(_ seeds: UInt64, within mask: UInt64) -> UInt64 {
        var result = seeds, run = mask
        for shift: UInt64 in [1, 2, 4, 8, 16, 32] {
            result |= (result &<< shift) & run
            run &= run &<< shift
        }
        return result
    }

    /// `seeds` extended to the lower bits of `mask` that precede them without a gap.
    @inline(__always)
    static func smearDown(_ seeds: UInt64, within mask: UInt64) -> UInt64 {
        var result = seeds, run = mask
        for shift: UInt64 in [1, 2, 4, 8, 16, 32] {
            result |= (result &>> shift) & run
            run &= run &>> shift
        }
        return result
    }

    /// `\p{N}{1,n}` cuts a run of digits every n digits from its start: those starts, for the runs
    /// longer than n (rare, so a loop).
    static func digitGroupStarts(_ digit: UInt64) -> UInt64 {
        let n = R.maximumDigits
        var result: UInt64 = 0
        var runStarts = digit & ~(digit &<< 1)
        while runStarts != 0 {
            let start = runStarts.trailingZeroBitCount
            let end = start &+ (~(digit &>> UInt64(start))).trailingZeroBitCount
            var j = start &+ n
            while j < end {
                result |= 1 &<< UInt64(j)
                j &+= n
            }
            runStarts &= runStarts &- 1
        }
        return result
    }

    /// Whether some run of digits is longer than `R.maximumDigits`.
    @inline(__always)
    static func hasLongDigitRun(_ digit: UInt64) -> Bool {
        var longer = digit
        for _ in 0..<R.maximumDigits { longer &= longer &>> 1 }
        return longer != 0
    }

    /// The ends of the contractions at `apostrophes` (bits of the block at `q` where one may start).
    static func contractionEnds(_ q: UnsafePointer<UInt8>, _ apostrophes: UInt64) -> UInt64 {
        var result: UInt64 = 0
        var remaining = apostrophes
        while remaining != 0 {
            let end = asciiContraction(at: remaining.trailingZeroBitCount, q, caseInsensitive: true)
            // (A non-ASCII byte deciding, -1, lies past the block's classified bytes: the match
            // at this apostrophe is then the open one, which the block does not decide.)
            if end > 0 && end < 64 { result |= 1 &<< UInt64(end) }
            remaining &= remaining &- 1
        }
        return result
    }
}
