import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 12, items 1 and 3: the manifest is opened once and read from a private
/// snapshot that no one else can open and that vanishes with the process.
@Suite struct ManifestFilesCLITests {
    let harness = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))
    static let manifest = "account,user,totp_enabled\nacme,*,true\nacme,bot@acme.test,false\n"

    /// Opening a FIFO a second time blocked for ever (no writer is left).
    @Test func aFIFOManifestIsReadOnce() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("m.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            _ = Self.manifest.withCString { write(fd, $0, strlen($0)) }
            close(fd)
        }
        writer.start()
        let run = try ShellRun.run("exec \"$MFA\" validate \(shellQuoted(fifo)) --report -", seconds: 20)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((report["rows"] as? [Any])?.count == 2)
    }

    /// `<(…)` was an "empty file": the first pass drained the pipe.
    @Test func processSubstitutionIsReadOnce() throws {
        let run = try ShellRun.run("""
            exec "$MFA" validate <(printf 'account,user,totp_enabled\\nacme,*,true\\n') --format csv --report -
            """, seconds: 20)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((report["rows"] as? [Any])?.count == 1)
    }

    /// The copy of stdin (which may hold API keys) has no name from the first byte
    /// (mode 0600, unlinked at once), so no other user can open it and kill -9
    /// leaves nothing behind. The old spool was a named file, created 0644.
    @Test func stdinIsKeptInAnUnlinkedPrivateFile() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdin = Pipe()
        let process = Process()
        process.executableURL = Subprocess.mfaBatchBinary()
        process.arguments = ["validate", "-", "--format", "csv", "--quiet"]
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = directory.path
        process.environment = environment
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        stdin.fileHandleForWriting.write(Data("account,user,totp_enabled,api_key\nacme,*,true,mfab_00000000_x\n".utf8))
        // Wait until the tool holds a file of the private directory open.
        var spool: String?
        try waitUntil("the tool opens its copy of stdin", seconds: 20) {
            let fds = "/proc/\(process.processIdentifier)/fd"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? [] {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + name)) ?? ""
                if target.hasPrefix(directory.path) { spool = fds + "/" + name; return true }
            }
            return false
        }
        let named = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(named.isEmpty, "a named copy of stdin: \(named)")
        var info = stat()
        #expect(stat(try #require(spool), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
