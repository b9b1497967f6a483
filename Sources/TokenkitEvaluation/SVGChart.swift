import Foundation

/// Inline SVG charts for the HTML report: plain markup, no script, no fonts or files to fetch,
/// so the report renders offline in any browser.
enum SVGChart {
    /// Distinguishable colours (Okabe–Ito, then two more), one per tokenizer.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999", "#8B4513"]

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double, digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }

    /// An axis label without trailing zeros: 0.375, 0.75, 3, 12.
    static func short(_ v: Double) -> String {
        var text = String(format: "%.3f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten).
    static func niceMaximum(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func legend(_ names: [String], x: Double, y: Double) -> String {
        var svg = ""
        var offset = x
        for (i, name) in names.enumerated() {
            svg += "<rect x=\"\(number(offset))\" y=\"\(number(y - 10))\" width=\"12\" height=\"12\" fill=\"\(color(i))\"/>"
            svg += "<text x=\"\(number(offset + 16))\" y=\"\(number(y))\" font-size=\"12\">\(escape(name))</text>"
            offset += 28 + Double(name.count) * 7
        }
        return svg
    }

    /// Vertical bars grouped by category, one bar per series in each group, with the value on
    /// top of each bar.
    static func groupedBars(title: String, categories: [String], series: [(name: String, values: [Double])],
                            yLabel: String, digits: Int = 2, width: Double = 1100, height: Double = 380) -> String {
        let left = 60.0, right = 20.0, top = 50.0, bottom = 60.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maximum = niceMaximum(series.flatMap(\.values).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"\(number(left))\" y=\"20\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>"
        svg += legend(series.map(\.name), x: left, y: 40)
        for k in 0...5 {
            let v = maximum * Double(k) / 5
            let y = top + plotHeight * (1 - Double(k) / 5)
            svg += "<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(width - right))\" y2=\"\(number(y))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(number(v, digits: digits))</text>"
        }
        svg += "<text transform=\"translate(14 \(number(top + plotHeight / 2))) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        let groupWidth = plotWidth / Double(max(1, categories.count))
        let barWidth = groupWidth * 0.8 / Double(max(1, series.count))
        for (c, category) in categories.enumerated() {
            let groupX = left + groupWidth * Double(c) + groupWidth * 0.1
            for (s, entry) in series.enumerated() where c < entry.values.count {
                let v = entry.values[c]
                let h = plotHeight * min(1, max(0, v / maximum))
                let x = groupX + barWidth * Double(s)
                svg += "<rect x=\"\(number(x))\" y=\"\(number(top + plotHeight - h))\" width=\"\(number(max(1, barWidth - 2)))\" height=\"\(number(h))\" fill=\"\(color(s))\"><title>\(escape(entry.name)) \(escape(category)): \(number(v, digits: 4))</title></rect>"
                if barWidth >= 26 {
                    svg += "<text x=\"\(number(x + barWidth / 2 - 1))\" y=\"\(number(top + plotHeight - h - 3))\" font-size=\"10\" text-anchor=\"middle\">\(number(v, digits: digits))</text>"
                }
            }
            svg += "<text x=\"\(number(left + groupWidth * (Double(c) + 0.5)))\" y=\"\(number(top + plotHeight + 18))\" font-size=\"12\" text-anchor=\"middle\">\(escape(category))</text>"
        }
        svg += "<line x1=\"\(number(left))\" y1=\"\(number(top + plotHeight))\" x2=\"\(number(width - right))\" y2=\"\(number(top + plotHeight))\" stroke=\"#333\"/>"
        svg += "</svg>"
        return svg
    }

    /// One row per label, one dot per series on a shared horizontal axis: for long sorted lists
    /// (a premium per language), where bars would be unreadable. The axis is logarithmic (base 2)
    /// so that ratios read the same on both sides of 1 and one outlier does not crush the rest.
    static func dotPlot(title: String, rows: [String], series: [(name: String, values: [Double?])], xLabel: String,
                        reference: Double? = nil, width: Double = 1100) -> String {
        let left = 110.0, right = 30.0, top = 56.0, rowHeight = 15.0
        let height = top + rowHeight * Double(rows.count) + 40
        let plotWidth = width - left - right
        let values = series.flatMap { $0.values.compactMap { $0 } }.filter { $0 > 0 }
        // Whole powers of two around the data, and around 1 (the reference) at least.
        let low = min(0, floor(log2(values.min() ?? 1)))
        let high = max(low + 1, ceil(log2(values.max() ?? 2)))
        func x(_ v: Double) -> Double { left + plotWidth * min(1, max(0, (log2(max(v, 1e-9)) - low) / (high - low))) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" role=\"img\" aria-label=\"\(escape(title))\">"
        svg += "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>"
        svg += legend(series.map(\.name), x: left, y: 40)
        let bottom = top + rowHeight * Double(rows.count)
        // Stripes first, so the grid stays visible over them.
        for r in stride(from: 0, to: rows.count, by: 2) {
            svg += "<rect x=\"\(number(left))\" y=\"\(number(top + rowHeight * Double(r)))\" width=\"\(number(plotWidth))\" height=\"\(number(rowHeight))\" fill=\"#f4f4f4\"/>"
        }
        for k in Int(low)...Int(high) {
            let v = pow(2, Double(k))
            svg += "<line x1=\"\(number(x(v)))\" y1=\"\(number(top))\" x2=\"\(number(x(v)))\" y2=\"\(number(bottom))\" stroke=\"#d0d0d0\"/>"
            svg += "<text x=\"\(number(x(v)))\" y=\"\(number(bottom + 14))\" font-size=\"11\" text-anchor=\"middle\">\(short(v))</text>"
            // Half-way ticks (×1.5) make values between powers of two readable.
            if k < Int(high) {
                let mid = 1.5 * v
                svg += "<line x1=\"\(number(x(mid)))\" y1=\"\(number(top))\" x2=\"\(number(x(mid)))\" y2=\"\(number(bottom))\" stroke=\"#ececec\"/>"
                svg += "<text x=\"\(number(x(mid)))\" y=\"\(number(bottom + 14))\" font-size=\"10\" fill=\"#777\" text-anchor=\"middle\">\(short(mid))</text>"
            }
        }
        if let reference {
            svg += "<line x1=\"\(number(x(reference)))\" y1=\"\(number(top))\" x2=\"\(number(x(reference)))\" y2=\"\(number(bottom))\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>"
        }
        svg += "<text x=\"\(number(left + plotWidth / 2))\" y=\"\(number(bottom + 32))\" font-size=\"12\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        for (r, row) in rows.enumerated() {
            let y = top + rowHeight * (Double(r) + 0.5)
            svg += "<text x=\"\(number(left - 6))\" y=\"\(number(y + 4))\" font-size=\"11\" text-anchor=\"end\">\(escape(row))</text>"
            for (s, entry) in series.enumerated() {
                guard r < entry.values.count, let v = entry.values[r] else { continue }
                svg += "<circle cx=\"\(number(x(v)))\" cy=\"\(number(y))\" r=\"4\" fill=\"\(color(s))\" fill-opacity=\"0.85\"><title>\(escape(entry.name)) \(escape(row)): \(number(v, digits: 3))</title></circle>"
            }
        }
        svg += "</svg>"
        return svg
    }
}
