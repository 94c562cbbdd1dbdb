import MFABatchCore
import Postgres

/// A failure that ends the command: its exit code (PRODUCT.md section 3) and the
/// one-line message for stderr. Every error a command throws becomes one of these
/// in `init(_:)`, the only place that decides an error's exit code; the error
/// itself travels unchanged until then (`underlying`), never flattened into text.
/// Messages never contain secrets.
struct CLIError: Error, CustomStringConvertible {
    var exitCode: ExitCode
    var message: String
    /// The command line itself was wrong: the message ends with a pointer to `--help`.
    var isInvocation = false
    /// The error this one was made from, when it was not a `CLIError` to begin with.
    var underlying: (any Error)?

    var description: String { message }

    /// The command line was wrong (unknown option, bad value, missing argument): exit 2.
    static func invocation(_ message: String) -> CLIError {
        CLIError(exitCode: .usage, message: message, isInvocation: true)
    }

    /// The invocation was well-formed but cannot be carried out (unknown account, no
    /// such run, a plan whose manifest changed): exit 2, nothing applied.
    static func usage(_ message: String) -> CLIError { CLIError(exitCode: .usage, message: message) }

    /// Database unreachable / not migrated / failed: exit 3.
    static func database(_ message: String) -> CLIError { CLIError(exitCode: .database, message: message) }

    init(exitCode: ExitCode, message: String, isInvocation: Bool = false) {
        self.exitCode = exitCode
        self.message = message
        self.isInvocation = isInvocation
    }

    /// The one mapping from an error to an exit code and a message:
    ///
    /// | error | exit |
    /// |---|---|
    /// | a `CLIError` | its own |
    /// | `ManifestError`, `CredentialsFileError`, `PlanFile.Invalid`, `ReportError` (a path) | 2: nothing applied |
    /// | `PostgresError`, `Migrator.Failure`, `EngineError` | 3: the database, or a run failed mid-way |
    /// | `RunLock.Failure.jobRunning` | 4 |
    /// | anything else (a programming error) | 3, as an internal error naming its type |
    ///
    /// An unexpected error is never a usage error: exit 2 promises that nothing was
    /// applied, which nobody can promise about an error nobody expected.
    init(_ error: any Error) {
        switch error {
        case let error as CLIError:
            self = error
            return
        case let error as ManifestError:
            self.init(exitCode: .usage, message: error.description)
        case let error as CredentialsFileError:
            self.init(exitCode: .usage, message: error.description)
        case let error as PlanFile.Invalid:
            self.init(exitCode: .usage, message: error.description)
        case let error as ReportError:
            if case .misuse = error {
                self.init(exitCode: .database, message: Self.internalMessage(error))
            } else {
                self.init(exitCode: .usage, message: error.description)
            }
        case let error as PostgresError:
            self.init(exitCode: .database, message: "database error: \(error)")
        case let error as Migrator.Failure:
            self.init(exitCode: .database, message: error.description)
        case let error as EngineError:
            self.init(exitCode: .database, message: error.description)
        case let RunLock.Failure.jobRunning(job, holder):
            var message = "job '\(job)' is already running"
            if let holder {
                message += " (run \(holder.id), started \(holder.startedAt)"
                    + (holder.host.map { " on \($0)" } ?? "") + (holder.pid.map { ", pid \($0)" } ?? "") + ")"
            }
            self.init(exitCode: .jobRunning, message: message)
        default:
            self.init(exitCode: .database, message: Self.internalMessage(error))
        }
        underlying = error
    }

    /// `internal error (SettingsSchemaError): …`: the type tells a maintainer where
    /// to look; the operator learns that it is not their input's fault.
    private static func internalMessage(_ error: any Error) -> String {
        "internal error (\(String(reflecting: type(of: error)))): \(error); please report it with the command you ran"
    }
}
