import MFABatchCore

/// A failure that ends the command with a given exit code and a one-line message
/// for stderr. Messages never contain secrets.
struct CLIError: Error, CustomStringConvertible {
    var exitCode: ExitCode
    var message: String

    var description: String { message }

    /// Bad invocation: exit 2.
    static func usage(_ message: String) -> CLIError { CLIError(exitCode: .usage, message: message) }
    /// Database unreachable / not migrated / failed: exit 3.
    static func database(_ message: String) -> CLIError { CLIError(exitCode: .database, message: message) }
}
