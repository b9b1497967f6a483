extension EvaluationReport {
    /// A cell of the metrics table.
    enum Cell {
        case int(Int)
        case double(Double)
        case string(String)
    }

    /// The scalar columns of one metrics row, in table order (shared by the JSON and CSV
    /// writers so the two always agree).
    static func metricColumns(_ m: CorpusMetrics) -> [(String, Cell)] {
        [
            ("tokenizer", .string(m.tokenizer)), ("corpus", .string(m.corpus)),
            ("lines", .int(m.lines)), ("bytes", .int(m.bytes)), ("characters", .int(m.characters)), ("tokens", .int(m.tokens)),
            ("whitespace_words", .int(m.whitespaceWords)), ("segmented_words", .int(m.segmentedWords)),
            ("bytes_per_token", .double(m.bytesPerToken)), ("tokens_per_byte", .double(m.tokensPerByte)),
            ("characters_per_token", .double(m.charactersPerToken)),
            ("fertility", .double(m.fertility)), ("segmented_fertility", .double(m.segmentedFertility)),
            ("continued_words", .int(m.continuedWords)), ("continued_word_rate", .double(m.continuedWordRate)),
            ("unknown_tokens", .int(m.unknownTokens)), ("unknown_rate", .double(m.unknownRate)),
            ("byte_fallback_tokens", .int(m.byteFallbackTokens)), ("byte_fallback_rate", .double(m.byteFallbackRate)),
            ("distinct_tokens", .int(m.distinctTokens)), ("vocabulary_size", .int(m.vocabularySize)),
            ("utilisation", .double(m.utilisation)),
            ("renyi_efficiency", .double(m.renyiEfficiency)), ("entropy_bits", .double(m.entropyBits)),
            ("mean_token_bytes", .double(m.meanTokenBytes)),
            ("round_trip_lines", .int(m.roundTripLines)), ("round_trip_rate", .double(m.roundTripRate)),
            ("invalid_utf8_lines", .int(m.invalidUTF8Lines)),
        ]
    }

    /// RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func csvCell(_ cell: Cell) -> String {
        switch cell {
        case let .int(v): return String(v)
        case let .double(v): return v.isFinite ? String(v) : ""
        case let .string(v): return csvField(v)
        }
    }

    /// One row per tokenizer and corpus, the columns of `metricColumns` plus the token length
    /// histogram as `len_0` … `len_16plus`.
    public func metricsCSV() -> String {
        let histogramHeader = (0..<CorpusMetrics.histogramBins).map { $0 == CorpusMetrics.histogramBins - 1 ? "len_\($0)plus" : "len_\($0)" }
        let header = Self.metricColumns(CorpusMetrics(tokenizer: "", corpus: "")).map(\.0) + histogramHeader
        var lines = [header.joined(separator: ",")]
        for m in metrics {
            lines.append((Self.metricColumns(m).map { Self.csvCell($0.1) } + m.tokenLengthHistogram.map(String.init)).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One row per tokenizer and language: aligned lines, tokens, reference tokens, premium.
    public func parityCSV() -> String {
        var lines = ["tokenizer,language,aligned_lines,tokens,reference_tokens,premium"]
        for e in parity?.entries ?? [] {
            lines.append([Self.csvField(e.tokenizer), Self.csvField(e.language), String(e.alignedLines), String(e.tokens),
                          String(e.referenceTokens), String(e.premium)].joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
