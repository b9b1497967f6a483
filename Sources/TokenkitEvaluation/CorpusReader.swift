#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a text file as lines, in bounded memory: blocks of 1 MiB are read and cut at "\n", so a
/// corpus of any size is processed with a few MiB of buffers.
///
/// A line is the text between two "\n" (the "\n" is not part of it; a "\r" before it is). A
/// final line without "\n" counts; a file that ends with "\n" has no empty last line, as
/// Python's `bytes.split(b"\n")` after removing one trailing newline. Invalid UTF-8 becomes
/// U+FFFD and the line is counted in `invalidUTF8Lines`.
public final class CorpusReader {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Bytes read from the file so far (for progress).
    public private(set) var bytesRead = 0
    /// Lines returned so far.
    public private(set) var linesRead = 0
    /// Lines returned so far that were not valid UTF-8.
    public private(set) var invalidUTF8Lines = 0
    /// The size of the file in bytes, when known.
    public let size: Int

    /// Opens `path`. - Throws: `EvaluationError.unreadableCorpus` naming the file.
    public init(path: String) throws(EvaluationError) {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadableCorpus(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadableCorpus(path: path, reason: "is a directory") }
        guard let file = fopen(path, "rb") else {
            throw .unreadableCorpus(path: path, reason: String(cString: strerror(errno)))
        }
        self.file = file
        self.size = Int(info.st_size)
    }

    deinit { fclose(file) }

    /// The read block, allocated once.
    private var scratch = [UInt8](repeating: 0, count: 1 << 20)

    /// Reads one more block; false at the end of the file.
    private func fill() throws(EvaluationError) -> Bool {
        guard !atEnd else { return false }
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        let block = scratch.count
        let n = scratch.withUnsafeMutableBufferPointer { fread($0.baseAddress!, 1, block, file) }
        buffer.append(contentsOf: scratch[0..<n])
        bytesRead += n
        if n < block {
            if ferror(file) != 0 { throw .unreadableCorpus(path: path, reason: "read error after \(bytesRead) bytes") }
            atEnd = true
        }
        return n > 0
    }

    /// The index of the next "\n" at or after `position` (memchr: lines are found at memory speed).
    private func nextNewline() -> Int? {
        buffer.withUnsafeBufferPointer { b -> Int? in
            guard position < b.count, let base = b.baseAddress,
                  let hit = memchr(base + position, 0x0A, b.count - position) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The next line, or nil at the end of the file.
    public func nextLine() throws(EvaluationError) -> String? {
        while true {
            if let newline = nextNewline() {
                let line = makeString(buffer[position..<newline])
                position = newline + 1
                return line
            }
            if try !fill() {
                guard position < buffer.count else { return nil }
                let line = makeString(buffer[position...])
                position = buffer.count
                return line
            }
        }
    }

    /// Up to `maxLines` lines or about `maxBytes` bytes of text, whichever comes first; empty at
    /// the end of the file.
    public func nextBatch(maxLines: Int, maxBytes: Int = 4 << 20) throws(EvaluationError) -> [String] {
        var lines: [String] = []
        var bytes = 0
        while lines.count < maxLines, bytes < maxBytes, let line = try nextLine() {
            bytes += line.utf8.count + 1
            lines.append(line)
        }
        return lines
    }

    private func makeString(_ bytes: ArraySlice<UInt8>) -> String {
        linesRead += 1
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        invalidUTF8Lines += 1
        return String(decoding: bytes, as: UTF8.self)
    }
}
