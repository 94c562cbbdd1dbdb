import Foundation
import MFABatchCore

/// Where a command writes. stdout carries results (keys, reports on `-`, the
/// summary); stderr carries diagnostics and progress, as text lines or, with
/// `--log-format json`, one JSON object a line (`time`, `level`, `message`) for log
/// collectors. Neither ever carries a secret.
struct Console: Sendable {
    enum LogFormat: String, Sendable, CaseIterable { case text, json }

    var environment: [String: String]
    var logFormat: LogFormat = .text
    /// A progress line being redrawn on the terminal: messages are written above it.
    var statusLine: ProgressDisplay?

    /// A result line on stdout; false when stdout failed (a closed pipe, a full
    /// disk), which is then said on stderr: it must not crash a run.
    @discardableResult
    func out(_ text: String, terminator: String = "\n") -> Bool {
        guard let error = StandardStreams.write(text + terminator, to: 1) else { return true }
        err("mfa-batch: warning: \(error)", level: "warning")
        return false
    }

    /// A diagnostic; `level` is `error` for failures, `info` otherwise.
    func err(_ text: String, level: String = "error") {
        if let statusLine {
            var plain = self
            plain.statusLine = nil
            statusLine.printAbove { plain.err(text, level: level) }
            return
        }
        switch logFormat {
        case .text:
            StandardStreams.write(text + "\n", to: 2) // nowhere left to say it failed
        case .json:
            let message = text.hasPrefix("mfa-batch: ") ? String(text.dropFirst(11)) : text
            let line = JSONText.object([
                ("time", JSONText.string(Date().formatted(.iso8601))), ("level", JSONText.string(level)),
                ("message", JSONText.string(message)),
            ])
            StandardStreams.write(line + "\n", to: 2)
        }
    }

    func info(_ text: String) { err(text, level: "info") }

    /// `--log-format` is read before any other parsing, so that even a usage error
    /// comes out in the asked-for format.
    static func logFormat(in arguments: [String]) -> LogFormat {
        for (index, argument) in arguments.enumerated() {
            if argument == "--log-format", index + 1 < arguments.count, arguments[index + 1] == "json" { return .json }
            if argument == "--log-format=json" { return .json }
        }
        return .text
    }
}
