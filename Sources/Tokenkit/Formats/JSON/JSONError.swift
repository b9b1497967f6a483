/// An error found while parsing JSON text or while reading a parsed value
/// with one of the typed accessors (`require…` / `expect…`).
///
/// `line` and `column` are 1-based. The column counts Unicode scalars (not
/// bytes) from the start of the line. Errors that have no position in the
/// text (for example an unreadable file) have `line == 0`, `byteOffset == -1`
/// and print without a location.
public struct JSONError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public var byteOffset: Int
    public var line: Int
    public var column: Int

    public init(message: String, byteOffset: Int, line: Int, column: Int) {
        self.message = message
        self.byteOffset = byteOffset
        self.line = line
        self.column = column
    }

    /// "line 3, column 17: expected ',' or '}' after object member"
    public var description: String {
        line > 0 ? "line \(line), column \(column): \(message)" : message
    }

    /// An error with no position in the text.
    static func unlocated(_ message: String) -> JSONError {
        JSONError(message: message, byteOffset: -1, line: 0, column: 0)
    }

    /// Builds an error at `offset` in `text`, computing its line and column.
    @inline(never)
    static func at(_ offset: Int, in text: UnsafeBufferPointer<UInt8>, _ message: String) -> JSONError {
        let (line, column) = location(of: offset, in: text)
        return JSONError(message: message, byteOffset: offset, line: line, column: column)
    }

    /// 1-based line and column (in Unicode scalars) of byte `offset`.
    static func location(of offset: Int, in text: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), text.count)
        var line = 1
        var column = 1
        var i = 0
        while i < end {
            let c = text[i]
            if c == 0x0A {
                line += 1
                column = 1
            } else if c & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }
}

/// Describes a byte for error messages: `'x'`, or `byte 0xNN` when not printable ASCII.
func jsonDescribeByte(_ c: UInt8) -> String {
    if c == UInt8(ascii: "'") { return "\"'\"" }
    if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
    if c == 0x20 { return "' '" }
    let hex = String(c, radix: 16, uppercase: true)
    return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
}
