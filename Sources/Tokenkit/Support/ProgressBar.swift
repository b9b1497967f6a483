#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A progress bar with an ETA on standard error, for long training and evaluation runs. It draws
/// nothing when standard error is not a terminal, and at most ten times a second.
public final class ProgressBar: @unchecked Sendable {
    private var stage = ""
    private var total = 0
    private var start = DispatchTime.now()
    private var lastDraw: UInt64 = 0
    private let enabled: Bool

    /// `enabled: nil` draws when standard error is a terminal.
    public init(enabled: Bool? = nil) {
        self.enabled = enabled ?? (isatty(2) != 0)
    }

    /// Starts a stage of `total` units (bytes, tokens, languages).
    public func begin(_ stage: String, total: Int) {
        self.stage = stage
        self.total = max(1, total)
        start = DispatchTime.now()
        lastDraw = 0
    }

    /// Redraws the bar for `done` of `total` units.
    public func advance(to done: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 100_000_000 || done >= total else { return }
        lastDraw = now
        let elapsed = Double(now - start.uptimeNanoseconds) / 1e9
        let fraction = min(1, Double(done) / Double(total))
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        draw("\r\(stage) [\(bar)] \(Int(fraction * 100))% (\(done)/\(total)) \(Int(elapsed))s elapsed, ETA \(Int(eta.rounded()))s ")
    }

    /// Ends the stage's line.
    public func finish() {
        guard enabled else { return }
        advance(to: total)
        draw("\n")
    }

    private func draw(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}
