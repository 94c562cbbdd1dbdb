import Foundation
import MFABatchCore
@testable import mfa_batch
import Postgres
import Testing

/// `CLIError.init(_:)`: the one place an error becomes an exit code.
@Suite struct CLIErrorTests {
    private struct Unexpected: Error, CustomStringConvertible {
        var description: String { "a tenant's decision went wrong" }
    }

    @Test func everyErrorKeepsItsExitCode() {
        let cases: [(any Error, ExitCode)] = [
            (ManifestError(file: "m.csv", line: 3, message: "unterminated quoted field"), .usage),
            (CredentialsFileError(path: "c.json", entry: nil, problem: "cannot be read"), .usage),
            (ReportError.io(operation: "create", path: "/nope/r.json", errno: ENOENT), .usage),
            (ReportError.duplicateDestination("r.json"), .usage),
            (PostgresError(kind: .connectionLost, message: "server closed the connection"), .database),
            (EngineError.missingColumns(["totp_enabled"]), .database),
            (RunLock.Failure.jobRunning(job: "nightly", holder: nil), .jobRunning),
            (CLIError.invocation("missing MANIFEST"), .usage),
            (CLIError.database("not migrated"), .database),
        ]
        for (error, code) in cases {
            #expect(CLIError(error).exitCode == code, "\(error)")
        }
        #expect(CLIError(RunLock.Failure.jobRunning(job: "nightly", holder: nil)).message == "job 'nightly' is already running")
        #expect(CLIError(CLIError.invocation("x")).isInvocation)
        #expect(!CLIError(ManifestError(file: "m.csv", line: nil, message: "empty")).isInvocation)
    }

    /// exit 2 promises that nothing was applied; nobody can promise that about an
    /// error nobody expected.
    @Test func anUnexpectedErrorIsAnInternalErrorNamingItsTypeExit3() {
        let failure = CLIError(Unexpected())
        #expect(failure.exitCode == .database)
        #expect(failure.message.hasPrefix("internal error (CLITests.CLIErrorTests."), "\(failure.message)")
        #expect(failure.message.contains("Unexpected): "), "\(failure.message)")
        #expect(failure.message.contains("a tenant's decision went wrong"))
        #expect(failure.underlying is Unexpected)
        let misuse = CLIError(ReportError.misuse("write after finish"))
        #expect(misuse.exitCode == .database && misuse.message.hasPrefix("internal error (MFABatchCore.ReportError)"))
    }
}
