#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Tokenkit

/// How training input is cut into the sequences the pipeline sees.
public enum TrainingCorpusFormat: Sendable, Equatable {
    /// One sequence per line, its line ending kept, as `tokenizers`' `train(files)` reads files.
    case lines
    /// JSON Lines: the string `field` of each object is one sequence.
    case jsonLines(field: String)
}

/// Errors reading a training corpus.
public struct TrainingCorpusError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Cuts corpus bytes into training sequences.
public enum TrainingCorpus {
    /// Reads the file at `path` (or standard input for "-") in blocks of about `blockSize` bytes
    /// cut after a line end, and calls `body` with each block and the line number it starts at:
    /// memory stays bounded however large the corpus is.
    ///
    /// Files ending in `.gz` or `.zst` are decompressed on the fly by the system's `gzip` or
    /// `zstd` command (an error names it when it is missing).
    public static func forEachBlock(ofFile path: String, blockSize: Int = 16 << 20,
                                    _ body: ([UInt8], Int) throws -> Void) throws {
        let decompressor: String? = path.hasSuffix(".gz") ? "gzip" : path.hasSuffix(".zst") || path.hasSuffix(".zstd") ? "zstd" : nil
        guard let decompressor else {
            let fd = path == "-" ? 0 : open(path, O_RDONLY)
            guard fd >= 0 else { throw TrainingCorpusError(description: "\(path): cannot be read") }
            defer { if fd != 0 { close(fd) } }
            try forEachBlock(of: fd, source: path, blockSize: blockSize, body)
            return
        }
        guard access(path, R_OK) == 0 else { throw TrainingCorpusError(description: "\(path): cannot be read") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [decompressor, "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw TrainingCorpusError(description: "\(path): cannot run \(decompressor) to decompress it: \(error.localizedDescription)")
        }
        defer { if process.isRunning { process.terminate() } }
        try forEachBlock(of: pipe.fileHandleForReading.fileDescriptor, source: path, blockSize: blockSize, body)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TrainingCorpusError(description: "\(path): \(decompressor) failed (status \(process.terminationStatus)); is it installed and the file intact?")
        }
    }

    private static func forEachBlock(of fd: Int32, source path: String, blockSize: Int,
                                     _ body: ([UInt8], Int) throws -> Void) throws {
        var pending: [UInt8] = []
        var line = 1
        var chunk = [UInt8](repeating: 0, count: blockSize)
        func emit(_ block: [UInt8]) throws {
            try body(block, line)
            line += block.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, blockSize) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TrainingCorpusError(description: "\(path): read failed (errno \(errno))")
            }
            if n == 0 { break }
            pending += chunk[0..<n]
            // Hand over everything up to the last line end; keep the partial line.
            if let last = pending.lastIndex(of: 0x0A) {
                try emit(Array(pending[...last]))
                pending.removeFirst(last + 1)
            }
        }
        if !pending.isEmpty { try emit(pending) }
    }

    /// Calls `body` with every sequence of `bytes` (the contents of `source`, named in errors).
    public static func forEachSequence(in bytes: [UInt8], source: String, format: TrainingCorpusFormat,
                                       firstLineNumber: Int = 1, _ body: (String) throws -> Void) throws {
        var start = 0
        var lineNumber = firstLineNumber - 1
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let next = end < bytes.count ? end + 1 : end
            lineNumber += 1
            defer { start = next }
            switch format {
            case .lines:
                // The line with its "\n" (and a "\r" before it), as Rust's lines_with_ending.
                try body(String(decoding: bytes[start..<next], as: UTF8.self))
            case .jsonLines(let field):
                let line = bytes[start..<end]
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                let document: JSONDocument
                do { document = try JSONDocument(bytes: Array(line)) } catch {
                    throw TrainingCorpusError(description: "\(source): line \(lineNumber): invalid JSON: \(error)")
                }
                guard let text = document.root[field]?.string else {
                    throw TrainingCorpusError(description: "\(source): line \(lineNumber): field \(field): expected a string")
                }
                try body(text)
            }
        }
    }
}
