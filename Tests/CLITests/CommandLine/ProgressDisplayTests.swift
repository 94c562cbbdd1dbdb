import Foundation
import MFABatchCore
@testable import mfa_batch
import Synchronization
import Testing

/// `ProgressDisplay` with a fake clock and captured output.
@Suite struct ProgressDisplayTests {
    final class Capture: Sendable {
        let now = Mutex(0.0)
        let raw = Mutex("")
        let lines = Mutex<[String]>([])
        func display(_ style: ProgressDisplay.Style, width: Int = 200) -> ProgressDisplay {
            ProgressDisplay(style: style, console: Console(environment: [:]), clock: { self.now.withLock { $0 } },
                            writeRaw: { text in self.raw.withLock { $0 += text } },
                            emitLine: { line in self.lines.withLock { $0.append(line) } },
                            terminalWidth: { width })
        }
        func advance(to seconds: Double) { now.withLock { $0 = seconds } }
    }

    private func tenant(rows: Int) -> TenantOutcome {
        TenantOutcome(account: "acme", accountID: UUID(), outcome: .committed, rows: rows, usersChanged: 1)
    }

    @Test func onATerminalOneLineIsRedrawnInPlaceThenAFinalLine() {
        let capture = Capture()
        let display = capture.display(.redraw)
        capture.advance(to: 1)
        display.handle(.staged(rows: 1000, tenants: 4, tenantRows: 1000))
        capture.advance(to: 2)
        display.handle(.tenantDone(done: 1, total: 4, tenant: tenant(rows: 250)))
        capture.advance(to: 2.05) // within 0.1 s of the last draw: not redrawn
        display.handle(.tenantDone(done: 2, total: 4, tenant: tenant(rows: 250)))
        capture.advance(to: 3)
        display.handle(.tenantDone(done: 3, total: 4, tenant: tenant(rows: 250)))
        capture.advance(to: 3.5)
        display.handle(.tenantDone(done: 4, total: 4, tenant: tenant(rows: 250)))
        display.finish()
        let raw = capture.raw.withLock { $0 }
        let frames = raw.components(separatedBy: "\r").filter { !$0.isEmpty }
        #expect(frames.first == "mfa-batch: staging the manifest…\u{1B}[K")
        #expect(frames.contains("mfa-batch: 1,000 rows staged, tenants 0/4\u{1B}[K"))
        #expect(frames.contains("mfa-batch: 1,000 rows staged, tenants 1/4, 250 rows/s, about 3.0s left\u{1B}[K"))
        #expect(!frames.contains { $0.contains("tenants 2/4") })
        #expect(frames.contains("mfa-batch: 1,000 rows staged, tenants 3/4, 375 rows/s, about 0.7s left\u{1B}[K"))
        #expect(frames.last == "mfa-batch: done: 1,000 rows staged, tenants 4/4 in 3.5s (400 rows/s)\u{1B}[K\n")
        #expect(raw.filter { $0 == "\n" }.count == 1, "one line on the screen, ended once")
        #expect(capture.lines.withLock { $0 }.isEmpty)
    }

    @Test func aLineLongerThanTheTerminalIsCutSoItCanBeRedrawn() {
        let capture = Capture()
        let display = capture.display(.redraw, width: 30)
        display.handle(.staged(rows: 123_456_789, tenants: 1000, tenantRows: 123_456_789))
        let last = capture.raw.withLock { $0 }.components(separatedBy: "\r").last ?? ""
        #expect(last.replacingOccurrences(of: "\u{1B}[K", with: "").count == 29)
        #expect(last.hasSuffix("…\u{1B}[K"))
    }

    @Test func elsewhereAPlainLineAtMostEveryIntervalAndTheFinalLine() {
        let capture = Capture()
        let display = capture.display(.lines(interval: 5))
        display.handle(.staged(rows: 10, tenants: 10, tenantRows: 10))
        for done in 1...10 {
            capture.advance(to: Double(done))
            display.handle(.tenantDone(done: done, total: 10, tenant: tenant(rows: 1)))
        }
        display.finish()
        let lines = capture.lines.withLock { $0 }
        #expect(lines == [
            "mfa-batch: 10 rows staged, tenants 0/10",
            "mfa-batch: 10 rows staged, tenants 5/10, 1 rows/s, about 5.0s left",
            "mfa-batch: 10 rows staged, tenants 10/10, 1 rows/s",
            "mfa-batch: done: 10 rows staged, tenants 10/10 in 10s (1 rows/s)",
        ])
        #expect(capture.raw.withLock { $0 }.isEmpty, "no carriage return or escape off a terminal")
    }

    /// Events stop while a tenant takes long (it waits for another run's lock): the
    /// tick shows what the last events left unshown, and refreshes the terminal.
    @Test func theTickShowsWhatTheLastEventsLeftUnshown() {
        let capture = Capture()
        let lines = capture.display(.lines(interval: 5))
        lines.handle(.staged(rows: 3, tenants: 3, tenantRows: 3))
        capture.advance(to: 1)
        lines.handle(.tenantDone(done: 1, total: 3, tenant: tenant(rows: 1)))
        capture.advance(to: 4)
        lines.tick()
        capture.advance(to: 6)
        lines.tick()
        lines.tick()
        #expect(capture.lines.withLock { $0 } == [
            "mfa-batch: 3 rows staged, tenants 0/3",
            "mfa-batch: 3 rows staged, tenants 1/3, 0 rows/s, about 12s left",
        ])

        let terminal = Capture()
        let redraw = terminal.display(.redraw)
        redraw.handle(.staged(rows: 3, tenants: 3, tenantRows: 3))
        terminal.advance(to: 0.05)
        redraw.handle(.tenantDone(done: 1, total: 3, tenant: tenant(rows: 1)))
        #expect(!terminal.raw.withLock { $0 }.contains("tenants 1/3"))
        terminal.advance(to: 10)
        redraw.tick()
        #expect(terminal.raw.withLock { $0 }.hasSuffix("\rmfa-batch: 3 rows staged, tenants 1/3, 0 rows/s, about 20s left\u{1B}[K"))
        #expect(redraw.tickInterval == 0.25 && lines.tickInterval == 1)
    }

    @Test func messagesGoAboveTheLineAndAnAbandonedLineIsEnded() {
        let capture = Capture()
        let display = capture.display(.redraw)
        display.handle(.staged(rows: 5, tenants: 2, tenantRows: 5))
        display.printAbove { capture.raw.withLock { $0 += "SIGINT received\n" } }
        display.abandon()
        display.finish() // nothing more after an abandon
        let raw = capture.raw.withLock { $0 }
        #expect(raw.hasSuffix("\r\u{1B}[KSIGINT received\n\rmfa-batch: 5 rows staged, tenants 0/2\u{1B}[K\n"))
    }

    @Test func figures() {
        #expect(ProgressDisplay.grouped(0) == "0")
        #expect(ProgressDisplay.grouped(1234567) == "1,234,567")
        #expect(ProgressDisplay.duration(0.42) == "0.4s")
        #expect(ProgressDisplay.duration(59) == "59s")
        #expect(ProgressDisplay.duration(125) == "2m 05s")
        #expect(ProgressDisplay.duration(3720) == "1h 02m")
    }
}
