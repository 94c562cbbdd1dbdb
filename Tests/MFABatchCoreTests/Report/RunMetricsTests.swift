import Foundation
import Testing
import TestSupport
@testable import MFABatchCore

@Suite struct RunMetricsTests {
    private func metrics(job: String? = "enforce-totp", exitCode: Int32 = 1,
                         summary: ReportSummary? = ReportSamples.summary) -> RunMetrics {
        RunMetrics(job: job, mode: .apply, startedAt: ReportSamples.run.startedAt, finishedAt: ReportSamples.run.finishedAt!,
                   exitCode: exitCode, summary: summary, version: "1.2.3")
    }

    @Test func theFileIsValidTextFormatWithEveryFigure() throws {
        let text = metrics().render()
        let samples = try PrometheusTextFormat.parse(text)
        let job = ["job": "enforce-totp"]
        #expect(samples.value("last_run_start_timestamp_seconds", job) == 1_795_965_166.123)
        #expect(samples.value("last_run_end_timestamp_seconds", job) == 1_795_965_241.007)
        #expect(abs((samples.value("last_run_duration_seconds", job) ?? 0) - 74.884) < 0.0005)
        #expect(samples.value("last_run_exit_code", job) == 1)
        #expect(samples.value("last_run_users_changed", job) == 1)
        #expect(samples.value("last_run_tenants_committed", job) == 1)
        #expect(samples.value("last_run_tenants_rolled_back", job) == 2)
        #expect(samples.value("last_run_info", ["job": "enforce-totp", "mode": "apply", "version": "1.2.3"]) == 1)
        // One series per status, zeros included, so none disappears between runs.
        for status in RowStatus.allCases {
            let expected = Double(ReportSamples.summary.count(status))
            #expect(samples.value("last_run_rows", ["job": "enforce-totp", "status": status.rawValue]) == expected)
        }
        #expect(text.contains("# TYPE mfa_batch_last_run_exit_code gauge\n"))
        #expect(!text.contains("e+"), "no exponent form for timestamps")
    }

    @Test func aRunThatFailedEarlyHasZerosAndAnEmptyJobLabelWithoutJob() throws {
        let samples = try PrometheusTextFormat.parse(metrics(job: nil, exitCode: 3, summary: nil).render())
        #expect(samples.value("last_run_exit_code", ["job": ""]) == 3)
        #expect(samples.value("last_run_rows", ["job": "", "status": "changed"]) == 0)
        #expect(samples.allSatisfy { $0.labels["job"] == "" })
    }

    @Test func labelValuesAreEscaped() throws {
        let job = "odd \"job\" \\ with\nnewline"
        let text = metrics(job: job).render()
        #expect(text.contains(#"job="odd \"job\" \\ with\nnewline""#))
        let samples = try PrometheusTextFormat.parse(text)
        #expect(samples.allSatisfy { $0.labels["job"] == job })
    }

    @Test func theValidatorRefusesWhatTheCollectorWould() throws {
        let bad = [
            "mfa_batch_x 1",                                   // no final newline
            "1metric 1\n",                                     // bad name
            "m{job=\"a\" 1\n",                                 // unterminated labels
            "m{job=a} 1\n",                                    // unquoted value
            "m{job=\"a\\x\"} 1\n",                             // bad escape
            "m one\n",                                         // not a float
            "# TYPE m gauge\n# TYPE m gauge\nm 1\n",           // second TYPE
            "m 1\n# TYPE m gauge\n",                           // TYPE after samples
            "m{a=\"1\"} 1\nn 2\nm{a=\"2\"} 3\n",               // samples apart
            "m{__x=\"1\"} 1\n",                                // reserved label
        ]
        for text in bad {
            #expect(throws: PrometheusTextFormat.Invalid.self, "\(text)") { try PrometheusTextFormat.parse(text) }
        }
        #expect(try PrometheusTextFormat.parse("# a comment\nm{a=\"1\",} -Inf 1700000000000\n").count == 1)
    }

    @Test func writtenAtomicallyMode0644WithNothingLeftBehind() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("mfa-batch.prom")
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        try RunMetrics.checkDestination(path)
        try metrics().write(to: path)
        #expect(try directory.entries() == ["mfa-batch.prom"])
        #expect(try directory.text("mfa-batch.prom") == metrics().render())
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o644)
        #expect(throws: ReportError.self) { try RunMetrics.checkDestination(directory.url.path) }
        #expect(throws: ReportError.self) { try RunMetrics.checkDestination(directory.path("missing/dir/m.prom")) }
        #expect(try directory.entries() == ["mfa-batch.prom"])
    }
}
