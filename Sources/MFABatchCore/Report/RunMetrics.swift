#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `--metrics PATH`: the last run's figures as a Prometheus text-format file (format
/// 0.0.4) for node_exporter's textfile collector, so that cron jobs can be alerted
/// on (a failed run, a run that stopped happening, rows failing). Every series
/// carries the `job` label (`""` without `--job`); rows also carry `status`, one
/// series for every status, zeros included, so that series never disappear:
///
/// ```text
/// # HELP mfa_batch_last_run_exit_code Exit code of the last run (0 success, 1 rows failed, 2 usage, 3 database, 4 job running, 130/143 interrupted).
/// # TYPE mfa_batch_last_run_exit_code gauge
/// mfa_batch_last_run_exit_code{job="enforce-totp"} 0
/// # HELP mfa_batch_last_run_rows Rows of the last run, by status.
/// # TYPE mfa_batch_last_run_rows gauge
/// mfa_batch_last_run_rows{job="enforce-totp",status="changed"} 12
/// ```
///
/// The file is written atomically: a hidden temporary file in the same directory
/// (`.NAME.RANDOM.tmp`, which the collector ignores, as it reads `*.prom` only),
/// renamed over PATH, so the collector never reads half a file. It is mode 0644,
/// unlike reports (0600), because node_exporter runs as another user and must read
/// it; it holds no row data and no secret, only counts, times and the job name.
public struct RunMetrics: Sendable, Equatable {
    public var job: String?
    public var mode: RunMode
    public var startedAt: Date
    public var finishedAt: Date
    public var exitCode: Int32
    /// The run's counts; nil when it failed before counting rows (all zeros then).
    public var summary: ReportSummary?
    /// The tool's version, shown in `mfa_batch_last_run_info`.
    public var version: String

    public init(job: String?, mode: RunMode, startedAt: Date, finishedAt: Date, exitCode: Int32,
                summary: ReportSummary?, version: String) {
        self.job = job
        self.mode = mode
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.summary = summary
        self.version = version
    }

    /// The file's text.
    public func render() -> String {
        let job = "job=\"\(Self.escapeLabel(job ?? ""))\""
        var text = ""
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP mfa_batch_\(name) \(help)\n# TYPE mfa_batch_\(name) gauge\n"
            for sample in samples { text += "mfa_batch_\(name){\(sample.labels)} \(sample.value)\n" }
        }
        let summary = self.summary ?? ReportSummary()
        metric("last_run_info", "The last run's mode and the version of mfa-batch that ran it (always 1).",
               [("\(job),mode=\"\(mode.rawValue)\",version=\"\(Self.escapeLabel(version))\"", "1")])
        metric("last_run_start_timestamp_seconds", "When the last run started, in seconds since the Unix epoch.",
               [(job, Self.seconds(startedAt.timeIntervalSince1970))])
        metric("last_run_end_timestamp_seconds", "When the last run ended, in seconds since the Unix epoch.",
               [(job, Self.seconds(finishedAt.timeIntervalSince1970))])
        metric("last_run_duration_seconds", "How long the last run took.",
               [(job, Self.seconds(max(0, finishedAt.timeIntervalSince(startedAt))))])
        metric("last_run_exit_code",
               "Exit code of the last run (0 success, 1 rows failed, 2 usage or unusable manifest, 3 database, 4 job already running, 130/143 interrupted).",
               [(job, String(exitCode))])
        metric("last_run_rows", "Rows of the last run, by status.",
               RowStatus.allCases.map { ("\(job),status=\"\($0.rawValue)\"", String(summary.count($0))) })
        metric("last_run_users_changed", "Users whose settings the last run changed (would change, in a dry run).",
               [(job, String(summary.usersChanged))])
        metric("last_run_tenants_committed", "Tenants the last run committed.", [(job, String(summary.tenantsCommitted))])
        metric("last_run_tenants_rolled_back", "Tenants the last run rolled back.",
               [(job, String(summary.tenantsRolledBack))])
        return text
    }

    /// Writes the file atomically (temporary file beside it, then rename), mode 0644.
    public func write(to path: String) throws {
        let temporary = try POSIXFile.createTemporary(beside: path)
        do {
            // Created 0600 like every file of ours; widened for the collector's user.
            guard fchmod(temporary.fd, 0o644) == 0 else {
                throw ReportError.io(operation: "set the mode of", path: temporary.path, errno: errno)
            }
            let bytes = Array(render().utf8)
            try bytes.withUnsafeBytes { try POSIXFile.writeAll(temporary.fd, $0, path: temporary.path) }
        } catch {
            _ = POSIXFile.closeDescriptor(temporary.fd)
            POSIXFile.unlink(temporary.path)
            throw error
        }
        do {
            try POSIXFile.close(temporary.fd, path: temporary.path)
            try POSIXFile.rename(temporary.path, to: path)
        } catch {
            POSIXFile.unlink(temporary.path)
            throw error
        }
    }

    /// Before a run: PATH must be a file in a directory we can create files in, so a
    /// wrong path fails at once (exit 2) instead of after the run.
    public static func checkDestination(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ReportError.io(operation: "write metrics to", path: path, errno: EISDIR)
        }
        let probe = try POSIXFile.createTemporary(beside: path)
        _ = POSIXFile.closeDescriptor(probe.fd)
        POSIXFile.unlink(probe.path)
    }

    /// A label value: backslash, double quote and line feed escaped (the text format's
    /// only escapes), other characters as UTF-8.
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Seconds with milliseconds, never in exponent form: `1767225600.123`.
    static func seconds(_ value: Double) -> String {
        let millis = Int64((value * 1000).rounded())
        let sign = millis < 0 ? "-" : ""
        let magnitude = millis.magnitude
        let fraction = String(magnitude % 1000)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
