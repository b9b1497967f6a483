import Foundation

extension EvaluationReport {
    /// The charts of the HTML report, in order; each is one `<svg>` element.
    public var chartTitles: [String] {
        var titles: [String] = []
        if !metrics.isEmpty {
            titles += ["Bytes per token (higher is more compact)", "Fertility: tokens per whitespace word (lower is better)",
                       "Token length distribution over all corpora (share of tokens by decoded bytes)"]
        }
        if let parity, !parity.entries.isEmpty {
            titles.append("Tokenization premium against \(parity.referenceLanguage) (log scale, 1 = parity; languages by median premium)")
        }
        return titles
    }

    /// The premium of a language, nil when no line is aligned (all empty in either file).
    func premium(_ tokenizer: String, _ language: String) -> Double? {
        guard let entry = parity?.entry(tokenizer: tokenizer, language: language), entry.alignedLines > 0 else { return nil }
        return entry.premium
    }

    /// The languages of the parity chart and table: highest median premium over the tokenizers
    /// first; languages with no aligned line last.
    func parityRows() -> [String] {
        guard let parity else { return [] }
        func median(_ language: String) -> Double {
            let values = parity.tokenizers.compactMap { premium($0, language) }.sorted()
            guard !values.isEmpty else { return 0 }
            let mid = values.count / 2
            return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
        }
        let medians = Dictionary(uniqueKeysWithValues: parity.languages.map { ($0, median($0)) })
        return parity.languages.sorted { medians[$0]! != medians[$1]! ? medians[$0]! > medians[$1]! : $0 < $1 }
    }

    /// A self-contained HTML page: summary, charts as inline SVG, and the tables behind them.
    public func html() -> String {
        func e(_ s: String) -> String { SVGChart.escape(s) }
        func n(_ v: Double, digits: Int = 2) -> String { SVGChart.number(v, digits: digits) }
        let labels = tokenizers.map(\.label)
        var body = ""
        body += "<h1>Tokenizer evaluation</h1>"
        body += "<p>\(tokenizers.count) tokenizers, \(corpora.count) corpus files"
        if let maxLines { body += ", first \(maxLines) lines of each file" }
        body += ". Every line is one document, encoded without special tokens. Definitions are in the README (<code>tokenkit eval</code>).</p>"
        body += "<table><tr><th>tokenizer</th><th>format</th><th>vocabulary</th><th>source</th></tr>"
        for t in tokenizers {
            body += "<tr><td>\(e(t.label))</td><td>\(e(t.format))</td><td class=n>\(t.vocabularySize)</td><td><code>\(e(t.source))</code></td></tr>"
        }
        body += "</table>"
        for warning in warnings { body += "<p class=warn>\(e(warning))</p>" }

        if !metrics.isEmpty {
            let titles = chartTitles
            body += "<h2>Compression and fertility</h2>"
            func series(_ value: (CorpusMetrics) -> Double) -> [(name: String, values: [Double])] {
                labels.map { label in (label, corpora.map { corpus in self.metrics(tokenizer: label, corpus: corpus).map(value) ?? 0 }) }
            }
            body += "<figure>" + SVGChart.groupedBars(title: titles[0], categories: corpora, series: series(\.bytesPerToken), yLabel: "bytes / token") + "</figure>"
            body += "<figure>" + SVGChart.groupedBars(title: titles[1], categories: corpora, series: series(\.fertility), yLabel: "tokens / word") + "</figure>"
            let bins = (0..<CorpusMetrics.histogramBins).map { $0 == CorpusMetrics.histogramBins - 1 ? "\($0)+" : "\($0)" }
            let histogram: [(name: String, values: [Double])] = labels.map { label in
                var sums = Array(repeating: 0, count: CorpusMetrics.histogramBins)
                for m in metrics where m.tokenizer == label {
                    for (i, c) in m.tokenLengthHistogram.enumerated() { sums[i] += c }
                }
                let total = max(1, sums.reduce(0, +))
                return (label, sums.map { 100 * Double($0) / Double(total) })
            }
            body += "<figure>" + SVGChart.groupedBars(title: titles[2], categories: bins, series: histogram, yLabel: "% of tokens", digits: 0) + "</figure>"

            body += "<h2>Metrics per tokenizer and corpus</h2><div class=scroll><table><tr>"
            let columns = ["tokenizer", "corpus", "lines", "tokens", "bytes/token", "chars/token", "fertility", "segmented fertility",
                           "continued words", "unknown", "byte fallback", "utilisation", "Rényi eff. (α=\(n(renyiAlpha, digits: 1)))",
                           "mean token bytes", "round trip"]
            body += columns.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
            func pct(_ v: Double) -> String { n(100 * v, digits: 2) + "%" }
            for m in metrics {
                var cells: [String] = [String(m.lines), String(m.tokens)]
                cells += [n(m.bytesPerToken, digits: 3), n(m.charactersPerToken, digits: 3), n(m.fertility, digits: 3), n(m.segmentedFertility, digits: 3)]
                cells += [pct(m.continuedWordRate), pct(m.unknownRate), pct(m.byteFallbackRate), pct(m.utilisation)]
                cells += [n(m.renyiEfficiency, digits: 4), n(m.meanTokenBytes, digits: 2), pct(m.roundTripRate)]
                body += "<tr><td>\(e(m.tokenizer))</td><td>\(e(m.corpus))</td>"
                body += cells.map { "<td class=n>\(e($0))</td>" }.joined() + "</tr>"
            }
            body += "</table></div>"
        }

        if let parity, !parity.entries.isEmpty {
            let rows = parityRows()
            body += "<h2>Fairness across languages</h2>"
            body += "<p>Premium = tokens of a language / tokens of \(e(parity.referenceLanguage)) for the same lines (lines empty in either file are left out), Petrov et al. 2023.</p>"
            body += "<table><tr><th>tokenizer</th><th>median premium</th><th>max premium</th><th>language</th></tr>"
            for t in parity.tokenizers {
                let top = parity.maximumPremium(for: t)
                body += "<tr><td>\(e(t))</td><td class=n>\(n(parity.medianPremium(for: t)))</td><td class=n>\(n(top?.premium ?? 0))</td><td>\(e(top?.language ?? ""))</td></tr>"
            }
            body += "</table>"
            let series: [(name: String, values: [Double?])] = parity.tokenizers.map { t in
                (t, rows.map { premium(t, $0) })
            }
            body += "<figure>" + SVGChart.dotPlot(title: chartTitles.last!, rows: rows, series: series, xLabel: "premium (tokens relative to \(parity.referenceLanguage))", reference: 1) + "</figure>"
            body += "<details><summary>Premium table (sorted by median premium)</summary><div class=scroll><table><tr><th>language</th>"
            body += parity.tokenizers.map { "<th>\(e($0))</th>" }.joined() + "<th>aligned lines</th></tr>"
            for language in rows {
                body += "<tr><td>\(e(language))</td>"
                for t in parity.tokenizers {
                    body += "<td class=n>\(premium(t, language).map { n($0, digits: 3) } ?? "–")</td>"
                }
                body += "<td class=n>\(parity.entries.first { $0.language == language }?.alignedLines ?? 0)</td></tr>"
            }
            body += "</table></div></details>"
        }

        if !vocabulary.isEmpty {
            body += "<h2>Vocabulary health</h2>"
            body += "<p>Unreachable: the token's own text, encoded alone, does not give the token. Not valid UTF-8: the token's bytes are not text on their own. Near-duplicates: equal after lowercasing and removing a leading space.</p>"
            body += "<table><tr><th>tokenizer</th><th>model tokens</th><th>checked</th><th>unreachable</th><th>not valid UTF-8</th><th>byte fallback</th><th>not checked</th><th>near-duplicate groups</th><th>tokens in them</th><th>exact duplicates</th><th>special tokens</th></tr>"
            for h in vocabulary {
                let cells = [h.modelTokens, h.checked, h.unreachable, h.invalidUTF8, h.byteFallback, h.notChecked, h.nearDuplicateGroups,
                             h.tokensInNearDuplicateGroups, h.exactDuplicateGroups, h.specialTokens.count]
                body += "<tr><td>\(e(h.tokenizer))</td>" + cells.map { "<td class=n>\($0)</td>" }.joined() + "</tr>"
            }
            body += "</table>"
            for h in vocabulary {
                body += "<details><summary>\(e(h.tokenizer)): samples</summary>"
                func list(_ name: String, _ samples: [VocabularyHealth.TokenSample]) {
                    guard !samples.isEmpty else { return }
                    body += "<p><b>\(e(name))</b>: " + samples.map { "<code>\($0.id) ‹\(e($0.text))›</code>" }.joined(separator: " ") + "</p>"
                }
                list("unreachable", h.unreachableSamples)
                list("not valid UTF-8", h.invalidUTF8Samples)
                if !h.nearDuplicateSamples.isEmpty {
                    body += "<p><b>near-duplicates</b>: " + h.nearDuplicateSamples.map { group in
                        "<code>" + group.map { "‹\(e($0.text))›" }.joined(separator: " ") + "</code>"
                    }.joined(separator: "; ") + "</p>"
                }
                let specials = h.specialTokens.prefix(50)
                if !specials.isEmpty {
                    body += "<p><b>special tokens</b> (\(h.specialTokens.count)): " + specials.map { "<code>\($0.id) \(e($0.content))</code>" }.joined(separator: " ")
                        + (h.specialTokens.count > specials.count ? " …" : "") + "</p>"
                }
                body += "</details>"
            }
        }

        if let overlap, overlap.tokenizers.count > 1 {
            body += "<h2>Vocabulary overlap (Jaccard index of token byte strings)</h2><table><tr><th></th>"
            body += overlap.tokenizers.map { "<th>\(e($0))</th>" }.joined() + "</tr>"
            for (i, row) in overlap.jaccard.enumerated() {
                body += "<tr><th>\(e(overlap.tokenizers[i]))</th>"
                for (j, v) in row.enumerated() {
                    // Shade by value: white at 0, blue at 1.
                    let light = Int(255 - 150 * v)
                    body += "<td class=n style=\"background:rgb(\(light),\(light + Int(40 * v)),255)\" title=\"\(overlap.shared[i][j]) shared\">\(n(v, digits: 3))</td>"
                }
                body += "</tr>"
            }
            body += "</table>"
        }

        let style = """
        body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
        table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:3px 7px;font-size:13px}
        th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}
        figure{margin:12px 0}code{font-size:12px}.warn{color:#a00}
        """
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tokenizer evaluation</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }
}
