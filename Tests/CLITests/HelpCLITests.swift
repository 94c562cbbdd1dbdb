import Foundation
import Postgres
import Testing
import TestSupport

/// `--help`, `help COMMAND`, `--version`, suggestions and completion, through the
/// built binary (no database needed).
@Suite struct HelpCLITests {
    let harness = CLIHarness(settings: ConnectionSettings(conninfo: ""))

    /// The command names as the top-level help lists them.
    private func commandNames() throws -> [String] {
        let top = try harness.run(["--help"])
        #expect(top.status == 0)
        let section = try #require(top.stdout.components(separatedBy: "commands:\n").last?.components(separatedBy: "\n\n").first)
        return section.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.dropFirst(2).components(separatedBy: "  ").first
        }
    }

    @Test func helpCommandAndDashDashHelpAgreeForEveryCommand() throws {
        let names = try commandNames()
        #expect(names.contains("apply") && names.contains("keys create") && names.contains("completion"))
        let top = try harness.run(["--help"]).stdout
        #expect(try harness.run(["help"]).stdout == top)
        #expect(try harness.run(["-h"]).stdout == top)
        for name in names {
            let words = name.split(separator: " ").map(String.init)
            let viaHelp = try harness.run(["help"] + words)
            let viaFlag = try harness.run(words + ["--help"])
            #expect(viaHelp.status == 0 && viaFlag.status == 0, "\(name)")
            #expect(viaHelp.stdout == viaFlag.stdout, "\(name)")
            #expect(viaHelp.stdout.hasPrefix("mfa-batch \(name): "), "\(name)")
            #expect(viaHelp.stdout.contains("usage: mfa-batch \(name)"), "\(name)")
            #expect(viaHelp.stdout.contains("examples:\n  "), "\(name)")
            #expect(viaHelp.stdout.components(separatedBy: "examples:\n").last?.contains("mfa-batch \(name)") == true, "\(name)")
            // The purpose line is the one the top-level help shows.
            let purpose = viaHelp.stdout.prefix { $0 != "\n" }.dropFirst("mfa-batch \(name): ".count)
            let words80 = purpose.split(separator: " ").prefix(4).joined(separator: " ")
            #expect(top.contains(words80), "\(name): \(words80)")
        }
        // `apply --help` shows every output option (it once lacked --progress).
        let apply = try harness.run(["apply", "--help"]).stdout
        for option in ["--dry-run", "--progress", "--log-format", "--metrics", "--report", "--parallel", "--database-url"] {
            #expect(apply.contains(option))
        }
    }

    @Test func versionNamesTheNewestMigration() throws {
        let version = try harness.run(["--version"])
        #expect(version.status == 0)
        let sql = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sql")
        let newest = try #require(try FileManager.default.contentsOfDirectory(atPath: sql.path)
            .filter { $0.hasSuffix(".sql") }.sorted().last)
        #expect(version.stdout.hasPrefix("mfa-batch "))
        #expect(version.stdout.contains("newest \(newest)"), "\(version.stdout)")
    }

    @Test func misspellingsSuggestTheNearestAndExit2() throws {
        let command = try harness.run(["aply", "x.csv"])
        #expect(command.status == 2)
        #expect(command.stderr.contains("unknown command 'aply' (did you mean apply?)"))
        let option = try harness.run(["apply", "x.csv", "--dry-rn"])
        #expect(option.status == 2)
        #expect(option.stderr.contains("unknown option '--dry-rn' (did you mean --dry-run?)"))
        #expect(option.stderr.contains("mfa-batch help apply"))
        let sub = try harness.run(["keys", "crate", "--account", "a"])
        #expect(sub.status == 2 && sub.stderr.contains("did you mean `keys create`?"))
        let runs = try harness.run(["runs", "shwo"])
        #expect(runs.status == 2 && runs.stderr.contains("did you mean `runs show`?"))
        let help = try harness.run(["help", "valdate"])
        #expect(help.status == 2 && help.stderr.contains("did you mean validate?"))
        #expect(try harness.run([]).status == 2)
    }

    @Test func bashCompletionCompletesCommandsOptionsAndChoices() throws {
        let script = try harness.run(["completion", "bash"])
        #expect(script.status == 0)
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("completion.bash")
        try Data(script.stdout.utf8).write(to: file)
        /// COMPREPLY for a command line whose last word is being completed.
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let program = """
                source '\(file.path)'
                COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
                _mfa_batch
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let output = try Subprocess.run(URL(fileURLWithPath: "/bin/bash"), ["-c", program],
                                            currentDirectory: directory)
            #expect(output.status == 0, "\(output.stderr)")
            return output.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["mfa-batch", "ap"]) == ["apply"])
        #expect(try complete(["mfa-batch", "apply", "x.csv", "--dry"]) == ["--dry-run"])
        #expect(try complete(["mfa-batch", "apply", "x.csv", "--progress", ""]) == ["auto", "always", "never"])
        #expect(try complete(["mfa-batch", "plan", "x.csv", "--format", "j"]) == ["json", "jsonl"])
        #expect(try complete(["mfa-batch", "keys", "c"]) == ["create"])
        #expect(try complete(["mfa-batch", "keys", "create", "--exp"]) == ["--expires-in"])
        #expect(try complete(["mfa-batch", "runs", "s"]) == ["show"])
        #expect(try complete(["mfa-batch", "help", "va"]) == ["validate"])
        #expect(try complete(["mfa-batch", "validate", "comp"]) == ["completion.bash"])
        #expect(try harness.run(["completion", "zsh"]).status == 2)
    }
}
