import Foundation
import Postgres
import TestSupport

/// Runs the built `mfa-batch` through `bash -c SCRIPT`, for what `Subprocess` cannot
/// set up: redirections (`> /dev/full`, `>&-`), pipes (`| head`), process
/// substitution. In SCRIPT, `"$MFA"` is the binary. Killed after `seconds`.
struct ShellRun {
    var status: Int32
    var signalled: Bool
    var stdout: String
    var stderr: String

    static func run(_ script: String, environment: [String: String] = [:], seconds: Double = 60) throws -> ShellRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-shell-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        var env = ProcessInfo.processInfo.environment
        env["MFA"] = Subprocess.mfaBatchBinary().path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            // The script's children (the tool) first, then bash.
            _ = try? Subprocess.run(URL(fileURLWithPath: "/usr/bin/pkill"), ["-KILL", "-P", "\(process.processIdentifier)"])
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 10)
            throw ShellTimeout(script: script, seconds: seconds)
        }
        process.waitUntilExit()
        return ShellRun(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

struct ShellTimeout: Error, CustomStringConvertible {
    var script: String
    var seconds: Double
    var description: String { "still running after \(seconds) s: \(script)" }
}

/// Quotes `text` for a bash script.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
