import Foundation
import MFABatchCore
import Synchronization

/// `--progress`: a run's progress on stderr, as operators know it from pg_dump,
/// rsync and Terraform.
///
/// - On a terminal (`.redraw`): one line redrawn in place, at most ten times a
///   second: `mfa-batch: 100,000 rows staged, tenants 37/100, 8,123 rows/s, about 7s
///   left`; a final line when done. Other stderr messages (a signal received) clear
///   it first and it is drawn again below them.
/// - Elsewhere (`--progress always` into a log, or `--log-format json`): a plain
///   line when the rows are staged, then at most one every `interval` seconds, and
///   the final line, through the console (so JSON logs stay one object a line).
///
/// Called from worker threads with `--parallel`: the state is behind a mutex, and
/// so is every write, so lines never interleave.
final class ProgressDisplay: Sendable {
    enum Style: Sendable, Equatable {
        case redraw
        case lines(interval: Double)
    }

    struct State: Sendable {
        var rows = 0
        var tenants = 0
        var tenantRows = 0
        var done = 0
        var rowsDone = 0
        var staged: Double?
        var lastShown = -Double.infinity
        /// Something changed since the state was last shown.
        var dirty = false
        /// A redrawn line is on the screen, not yet ended by a newline.
        var lineOnScreen = false
        var ended = false
    }

    let style: Style
    private let clock: @Sendable () -> Double
    private let started: Double
    private let state = Mutex(State())
    /// Raw stderr bytes (the redrawn line); replaceable for tests.
    private let writeRaw: @Sendable (String) -> Void
    /// A plain progress line (`.lines`): the console's `info`, in the log format asked for.
    private let emitLine: @Sendable (String) -> Void
    private let terminalWidth: @Sendable () -> Int

    init(style: Style, console: Console, clock: @escaping @Sendable () -> Double = ProgressDisplay.monotonicSeconds,
         writeRaw: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) },
         emitLine: (@Sendable (String) -> Void)? = nil,
         terminalWidth: @escaping @Sendable () -> Int = ProgressDisplay.stderrColumns) {
        self.style = style
        self.emitLine = emitLine ?? { console.info($0) }
        self.clock = clock
        self.writeRaw = writeRaw
        self.terminalWidth = terminalWidth
        started = clock()
        if style == .redraw {
            state.withLock { draw("mfa-batch: staging the manifest…", &$0) }
        }
    }

    /// The display `--progress` asks for, or nil for none.
    static func make(_ options: OutputOptions, console: Console) -> ProgressDisplay? {
        guard options.showsProgress else { return nil }
        let redraw = isatty(2) == 1 && console.logFormat == .text
        return ProgressDisplay(style: redraw ? .redraw : .lines(interval: 5), console: console)
    }

    func handle(_ event: RunProgress) {
        let now = clock()
        state.withLock { state in
            guard !state.ended else { return }
            var forced = false
            switch event {
            case .staged(let rows, let tenants, let tenantRows):
                state.rows = rows
                state.tenants = tenants
                state.tenantRows = tenantRows
                state.staged = now
                forced = true
            case .tenantDone(let done, let total, let tenant):
                state.done = max(state.done, done)
                state.tenants = total
                state.rowsDone += tenant.rows
            }
            state.dirty = true
            show(&state, now: now, forced: forced)
        }
    }

    /// Called every `tickInterval` by a `ProgressTicker` while the run goes on: shows
    /// what the events left unshown (the last tenants before a long wait), and on a
    /// terminal refreshes the rate and time left while a tenant takes long.
    func tick() {
        let now = clock()
        state.withLock { state in
            guard !state.ended else { return }
            if style == .redraw && state.staged != nil { state.dirty = true }
            show(&state, now: now, forced: false)
        }
    }

    var tickInterval: Double {
        switch style {
        case .redraw: return 0.25
        case .lines: return 1
        }
    }

    /// Shows the state if something changed and the last line is old enough (at most
    /// ten redraws a second on a terminal, one line every `interval` elsewhere).
    private func show(_ state: inout State, now: Double, forced: Bool) {
        guard state.dirty else { return }
        switch style {
        case .redraw:
            guard forced || now - state.lastShown >= 0.1 else { return }
            draw(Self.line(state, now: now), &state)
        case .lines(let interval):
            guard forced || now - state.lastShown >= interval else { return }
            emitLine(Self.line(state, now: now))
        }
        state.lastShown = now
        state.dirty = false
    }

    /// The final line, once the run is over (finished, interrupted or cut off).
    func finish() {
        let now = clock()
        state.withLock { state in
            guard !state.ended else { return }
            state.ended = true
            let text = Self.finalLine(state, elapsed: now - started, now: now)
            switch style {
            case .redraw:
                draw(text, &state)
                writeRaw("\n")
                state.lineOnScreen = false
            case .lines:
                emitLine(text)
            }
        }
    }

    /// The run failed: the last line stays visible, ended, so the error follows it.
    func abandon() {
        state.withLock { state in
            state.ended = true
            if state.lineOnScreen { writeRaw("\n") }
            state.lineOnScreen = false
        }
    }

    /// Writes another stderr message without mangling the redrawn line: the line is
    /// cleared, the message written, and the line drawn again below it.
    func printAbove(_ write: () -> Void) {
        state.withLock { state in
            guard style == .redraw, state.lineOnScreen else { return write() }
            writeRaw("\r\u{1B}[K")
            write()
            draw(Self.line(state, now: clock()), &state)
        }
    }

    /// Carriage return, the text cut to the terminal's width (a wrapped line cannot
    /// be redrawn in place), and erase-to-end-of-line.
    private func draw(_ text: String, _ state: inout State) {
        let width = max(20, terminalWidth() - 1)
        let shown = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        writeRaw("\r" + shown + "\u{1B}[K")
        state.lineOnScreen = true
    }

    // MARK: Text

    /// `mfa-batch: 100,000 rows staged, tenants 37/100, 8,123 rows/s, about 7s left`.
    static func line(_ state: State, now: Double) -> String {
        guard let staged = state.staged else { return "mfa-batch: staging the manifest…" }
        var parts = ["\(grouped(state.rows)) rows staged", "tenants \(grouped(state.done))/\(grouped(state.tenants))"]
        let elapsed = now - staged
        if state.done > 0, elapsed > 0 {
            let rate = Double(state.rowsDone) / elapsed
            parts.append("\(grouped(Int(rate.rounded()))) rows/s")
            if rate > 0, state.done < state.tenants {
                parts.append("about \(duration(Double(max(0, state.tenantRows - state.rowsDone)) / rate)) left")
            }
        }
        return "mfa-batch: " + parts.joined(separator: ", ")
    }

    /// `mfa-batch: done: 100,000 rows staged, tenants 100/100 in 12.3s (8,123 rows/s)`;
    /// `stopped` when tenants were left undecided (a signal, a lost database).
    static func finalLine(_ state: State, elapsed: Double, now: Double) -> String {
        let word = state.done >= state.tenants ? "done" : "stopped"
        var text = "mfa-batch: \(word): \(grouped(state.rows)) rows staged, tenants \(grouped(state.done))/\(grouped(state.tenants)) in \(duration(elapsed))"
        if let staged = state.staged, now - staged > 0, state.rowsDone > 0 {
            text += " (\(grouped(Int((Double(state.rowsDone) / (now - staged)).rounded()))) rows/s)"
        }
        return text
    }

    /// `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `0.4s`, `7s`, `2m 05s`, `1h 02m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        if seconds < 10 { return String(format: "%.1fs", max(0, seconds)) }
        let whole = Int(seconds.rounded())
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h \(String(format: "%02d", whole / 60 % 60))m"
    }

    // MARK: System

    @Sendable static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// The terminal's width from `TIOCGWINSZ` on stderr; 80 when it cannot be asked.
    @Sendable static func stderrColumns() -> Int {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}

/// Calls `ProgressDisplay.tick()` on a timer for as long as it lives (the run).
final class ProgressTicker {
    private let timer: any DispatchSourceTimer

    init(_ display: ProgressDisplay) {
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + display.tickInterval, repeating: display.tickInterval)
        timer.setEventHandler { display.tick() }
        timer.resume()
    }

    deinit { timer.cancel() }
}
