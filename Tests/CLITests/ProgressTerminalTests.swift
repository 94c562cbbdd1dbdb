#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Postgres
import Testing
import TestSupport

/// `--progress` on a real terminal (a pseudo-terminal as stderr) and off one.
/// `scripts/progress-demo` shows the same in tmux, mid-run.
@Suite struct ProgressTerminalTests {
    /// Runs the binary with stderr on a new pseudo-terminal; returns what the
    /// terminal received and the exit status.
    private func runOnTerminal(_ harness: CLIHarness, _ arguments: [String]) throws -> (status: Int32, terminal: String) {
        let (master, slavePath) = try openPseudoTerminal()
        defer { close(master) }
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        #expect(slave >= 0, "open \(slavePath)")
        let process = Process()
        process.executableURL = Subprocess.mfaBatchBinary()
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = harness.settings.conninfo
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        try process.run()
        close(slave)
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &buffer, buffer.count)
            if count > 0 { received += buffer[0..<count]; continue }
            if count < 0 && errno == EINTR { continue }
            break // EIO: the child and every copy of the slave are gone
        }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: received, as: UTF8.self))
    }

    private struct NoTerminal: Error {}

    /// A new pseudo-terminal: its master descriptor and the slave's path. On Linux
    /// through /dev/ptmx (Glibc does not export posix_openpt to Swift): unlock it
    /// (TIOCSPTLCK) and ask its number (TIOCGPTN); grantpt is a no-op with devpts.
    private func openPseudoTerminal() throws -> (Int32, String) {
        #if os(Linux)
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw NoTerminal() }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let tiocsptlck: UInt = 0x4004_5431, tiocgptn: UInt = 0x8004_5430
        guard ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            close(master)
            throw NoTerminal()
        }
        return (master, "/dev/pts/\(number)")
        #else
        let master = posix_openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else { throw NoTerminal() }
        return (master, String(cString: name))
        #endif
    }

    @Test func onATerminalOneLineIsRedrawnAndEndedOnceAndPipedStderrHasNone() throws {
        let slugs = (1...12).map { "t\($0)" }
        try SeededTenants.with(slugs: slugs) { harness, _, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data(("account,user,totp_enabled\n" + slugs.map { "\($0),*,true\n" }.joined()).utf8).write(to: manifest)
            let (status, terminal) = try runOnTerminal(harness, ["apply", manifest.path, "--dry-run", "--quiet",
                                                                  "--credentials", credentials.path, "--parallel", "2"])
            #expect(status == 0, "\(terminal)")
            // The terminal turns LF into CR LF (onlcr): one line ending, the final one.
            let lines = terminal.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
            #expect(lines.count == 1, "\(terminal.debugDescription)")
            let frames = terminal.replacingOccurrences(of: "\r\n", with: "").components(separatedBy: "\r").filter { !$0.isEmpty }
            #expect(frames.first == "mfa-batch: staging the manifest…\u{1B}[K")
            #expect(frames.contains("mfa-batch: 12 rows staged, tenants 0/12\u{1B}[K"))
            let final = try #require(frames.last)
            #expect(final.hasPrefix("mfa-batch: done: 12 rows staged, tenants 12/12 in "), "\(final)")

            // Not a terminal: `auto` prints nothing, `never` nothing either.
            for mode in ["auto", "never"] {
                let piped = try harness.run(["apply", manifest.path, "--dry-run", "--quiet", "--credentials",
                                             credentials.path, "--progress", mode])
                #expect(piped.status == 0 && piped.stderr.isEmpty, "\(mode): \(piped.stderr)")
            }
            // `never` on a terminal: nothing.
            let quiet = try runOnTerminal(harness, ["apply", manifest.path, "--dry-run", "--quiet", "--credentials",
                                                    credentials.path, "--progress", "never"])
            #expect(quiet.status == 0 && quiet.terminal.isEmpty, "\(quiet.terminal.debugDescription)")
        }
    }
}
