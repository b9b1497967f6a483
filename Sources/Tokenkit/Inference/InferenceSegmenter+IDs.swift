// The ids-only route of byte-level BPE tokenizers with another inference method: the fast
// path's pre-tokenizer (`FastEncoder.forEachPiece`, its scanners and NFC check) hands over the
// raw bytes of each piece, which are what the segmenter's keys are made of, and only ids are
// made: no tokens, strings or offsets. The merges' own fast path is a different `FastEncoder`
// instance and is not touched. It gives `encode(...).ids`, which the round-trip tests check.

extension InferenceSegmenter {
    /// Appends the ids of one piece of raw bytes (byte-level BPE only).
    func appendIDs(raw: UnsafeBufferPointer<UInt8>, to ids: inout [TokenID]) {
        // Byte-level vocabularies are never WordPiece: a segmentation always exists.
        guard let segments = segment(raw) else { return }
        var previousUnknown = false
        for (range, id) in segments {
            if id >= 0 {
                ids.append(TokenID(id))
                previousUnknown = false
            } else if let byteFallbackIDs, raw[range].allSatisfy({ byteFallbackIDs[Int($0)] != nil }) {
                for b in raw[range] { ids.append(byteFallbackIDs[Int(b)]!) }
                previousUnknown = false
            } else if let unknownID {
                if !(previousUnknown && fuseUnknown) { ids.append(unknownID) }
                previousUnknown = true
            }
        }
    }

    /// The ids of `text` through `pieces`' pre-tokenization, added tokens cut out first; nil
    /// when the general path must decide (added tokens matched after NFC normalization).
    func encodeIDs(_ text: String, pieces: FastEncoder, added: AddedVocabulary, policy: AddedVocabulary.MatchPolicy) -> [TokenID]? {
        var ids: [TokenID] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        if added.isEmpty || policy.allowedIDs?.isEmpty == true {
            pieces.forEachPiece(of: text) { appendIDs(raw: $0, to: &ids) }
            return ids
        }
        let bytes = Array(text.utf8)
        let normalizes = pieces.requiresNFC && !bytes.withUnsafeBufferPointer { UnicodeNormalization.isCertainlyNormalized($0, form: .nfc) }
        if normalizes && added.hasNormalizedTokens { return nil }
        for (id, range) in added.segments(of: bytes, policy: policy) {
            if let id {
                ids.append(id)
            } else if !range.isEmpty {
                pieces.forEachPiece(of: String(decoding: bytes[range], as: UTF8.self)) { appendIDs(raw: $0, to: &ids) }
            }
        }
        return ids
    }
}
