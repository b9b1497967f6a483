import Tokenkit

extension EvaluationReport {
    /// The whole report as JSON: every count, the derived ratios, the histograms, the parity
    /// entries and the vocabulary checks. Keys are snake_case; ratios are doubles written to
    /// round-trip exactly.
    public func jsonBytes() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.appendKey("reference_language"); w.appendString(referenceLanguage)
        w.appendKey("renyi_alpha"); w.appendDouble(renyiAlpha)
        w.appendKey("max_lines")
        if let maxLines { w.appendInt(maxLines) } else { w.appendNull() }
        w.appendKey("tokenizers"); w.beginArray()
        for t in tokenizers {
            w.beginObject()
            w.appendKey("label"); w.appendString(t.label)
            w.appendKey("source"); w.appendString(t.source)
            w.appendKey("format"); w.appendString(t.format)
            w.appendKey("vocabulary_size"); w.appendInt(t.vocabularySize)
            w.endObject()
        }
        w.endArray()
        w.appendKey("corpora"); w.beginArray()
        for c in corpora { w.appendString(c) }
        w.endArray()
        w.appendKey("metrics"); w.beginArray()
        for m in metrics {
            w.beginObject()
            for (key, value) in Self.metricColumns(m) {
                w.appendKey(key)
                switch value {
                case let .int(v): w.appendInt(v)
                case let .double(v): w.appendDouble(v)
                case let .string(v): w.appendString(v)
                }
            }
            w.appendKey("token_length_histogram"); w.appendIntArray(m.tokenLengthHistogram)
            w.endObject()
        }
        w.endArray()
        w.appendKey("parity")
        if let parity {
            w.beginObject()
            w.appendKey("reference_language"); w.appendString(parity.referenceLanguage)
            w.appendKey("languages"); w.beginArray()
            for l in parity.languages { w.appendString(l) }
            w.endArray()
            w.appendKey("summary"); w.beginArray()
            for t in parity.tokenizers {
                w.beginObject()
                w.appendKey("tokenizer"); w.appendString(t)
                w.appendKey("median_premium"); w.appendDouble(parity.medianPremium(for: t))
                let top = parity.maximumPremium(for: t)
                w.appendKey("max_premium"); w.appendDouble(top?.premium ?? 0)
                w.appendKey("max_premium_language"); w.appendString(top?.language ?? "")
                w.endObject()
            }
            w.endArray()
            w.appendKey("entries"); w.beginArray()
            for e in parity.entries {
                w.beginObject()
                w.appendKey("tokenizer"); w.appendString(e.tokenizer)
                w.appendKey("language"); w.appendString(e.language)
                w.appendKey("aligned_lines"); w.appendInt(e.alignedLines)
                w.appendKey("tokens"); w.appendInt(e.tokens)
                w.appendKey("reference_tokens"); w.appendInt(e.referenceTokens)
                w.appendKey("premium"); w.appendDouble(e.premium)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        } else {
            w.appendNull()
        }
        w.appendKey("vocabulary"); w.beginArray()
        for h in vocabulary {
            w.beginObject()
            w.appendKey("tokenizer"); w.appendString(h.tokenizer)
            w.appendKey("model_tokens"); w.appendInt(h.modelTokens)
            w.appendKey("checked"); w.appendInt(h.checked)
            w.appendKey("unreachable"); w.appendInt(h.unreachable)
            w.appendKey("invalid_utf8"); w.appendInt(h.invalidUTF8)
            w.appendKey("byte_fallback"); w.appendInt(h.byteFallback)
            w.appendKey("not_checked"); w.appendInt(h.notChecked)
            w.appendKey("near_duplicate_groups"); w.appendInt(h.nearDuplicateGroups)
            w.appendKey("tokens_in_near_duplicate_groups"); w.appendInt(h.tokensInNearDuplicateGroups)
            w.appendKey("exact_duplicate_groups"); w.appendInt(h.exactDuplicateGroups)
            w.appendKey("length_histogram"); w.appendIntArray(h.lengthHistogram)
            func samples(_ key: String, _ list: [VocabularyHealth.TokenSample]) {
                w.appendKey(key); w.beginArray()
                for s in list {
                    w.beginObject()
                    w.appendKey("id"); w.appendInt(Int(s.id))
                    w.appendKey("text"); w.appendString(s.text)
                    w.endObject()
                }
                w.endArray()
            }
            w.appendKey("unreachable_ids"); w.appendIntArray(h.unreachableIDs)
            w.appendKey("invalid_utf8_ids"); w.appendIntArray(h.invalidUTF8IDs)
            samples("unreachable_samples", h.unreachableSamples)
            samples("invalid_utf8_samples", h.invalidUTF8Samples)
            w.appendKey("near_duplicate_samples"); w.beginArray()
            for group in h.nearDuplicateSamples {
                w.beginArray()
                for s in group { w.appendString(s.text) }
                w.endArray()
            }
            w.endArray()
            w.appendKey("special_tokens"); w.beginArray()
            for s in h.specialTokens {
                w.beginObject()
                w.appendKey("id"); w.appendInt(Int(s.id))
                w.appendKey("content"); w.appendString(s.content)
                w.appendKey("special"); w.appendBool(s.special)
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.appendKey("overlap")
        if let overlap {
            w.beginObject()
            w.appendKey("tokenizers"); w.beginArray()
            for t in overlap.tokenizers { w.appendString(t) }
            w.endArray()
            w.appendKey("jaccard"); w.beginArray()
            for row in overlap.jaccard {
                w.beginArray()
                for v in row { w.appendDouble(v) }
                w.endArray()
            }
            w.endArray()
            w.appendKey("shared"); w.beginArray()
            for row in overlap.shared { w.appendIntArray(row) }
            w.endArray()
            w.endObject()
        } else {
            w.appendNull()
        }
        w.appendKey("warnings"); w.beginArray()
        for warning in warnings { w.appendString(warning) }
        w.endArray()
        w.endObject()
        w.appendNewline()
        return w.bytes
    }
}
