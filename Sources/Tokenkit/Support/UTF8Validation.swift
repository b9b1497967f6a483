// UTF-8 validation shared by the JSON reader and the fast decoder.

/// Shift-based UTF-8 DFA (after Per Vognsen): `row = table[byte]`, `state =
/// (row >> state) & 63`. States are bit offsets (multiples of 6): 0 accept,
/// 6/12/18 need 1/2/3 continuation bytes, 24 after E0, 30 after ED, 36 after
/// F0, 42 after F4, 48 error. Rejects overlongs, surrogates and > U+10FFFF. The JSON
/// reader checks its strings with it, the fast decoder its text (`isWellFormedUTF8`).
nonisolated(unsafe) let utf8DFATable: UnsafePointer<UInt64> = {
    let table = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
    let error: UInt64 = 8
    for b in 0..<256 {
        var next = [UInt64](repeating: error, count: 9)
        switch b {
        case 0x00..<0x80: next[0] = 0
        case 0xC2..<0xE0: next[0] = 1
        case 0xE0: next[0] = 4
        case 0xE1..<0xED, 0xEE..<0xF0: next[0] = 2
        case 0xED: next[0] = 5
        case 0xF0: next[0] = 6
        case 0xF1..<0xF4: next[0] = 3
        case 0xF4: next[0] = 7
        default: break
        }
        if b >= 0x80 && b < 0xC0 {
            next[1] = 0
            next[2] = 1
            next[3] = 2
            if b >= 0xA0 { next[4] = 1 }
            if b < 0xA0 { next[5] = 1 }
            if b >= 0x90 { next[6] = 2 }
            if b < 0x90 { next[7] = 2 }
        }
        var row: UInt64 = 0
        for state in 0..<9 { row |= (next[state] * 6) << (UInt64(state) * 6) }
        table[b] = row
    }
    return UnsafePointer(table)
}()

/// Whether `bytes` is well-formed UTF-8: eight ASCII bytes at a time between characters (text
/// is mostly ASCII), the DFA for the rest.
func isWellFormedUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let p = bytes.baseAddress else { return true }
    let n = bytes.count, table = utf8DFATable
    var state: UInt64 = 0
    var i = 0
    while i < n {
        if state == 0 && i &+ 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
            continue
        }
        state = (table[Int(p[i])] &>> state) & 63
        if state == 48 { return false }
        i &+= 1
    }
    return state == 0
}
