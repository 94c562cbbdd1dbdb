import Foundation
import MFABatchCore
@testable import mfa_batch
import Testing

/// The command table, walked in process: what the help shows and what the parser
/// accepts come from one declaration, and these tests hold them to it.
@Suite struct CommandDeclarationTests {
    /// Every `--option` in a text (usage line, option table, prose, examples).
    private func optionsShown(in text: String) -> Set<String> {
        var found = Set<String>()
        var rest = Substring(text)
        while let range = rest.range(of: "--") {
            let name = rest[range.upperBound...].prefix { $0.isLowercase || $0 == "-" }
            let before = range.lowerBound == rest.startIndex ? " " : rest[rest.index(before: range.lowerBound)]
            if !name.isEmpty, !name.hasSuffix("-"), before == " " || before == "[" || before == "`" || before == "(" {
                found.insert(String(name))
            }
            rest = rest[range.upperBound...]
        }
        return found
    }

    /// A value the option accepts, for parsing it alone.
    private func sample(_ option: OptionInfo) -> String {
        if case .choices(let choices) = option.completion { return choices[0] }
        switch option.placeholder {
        case "N": return "2"
        case "DURATION": return "1d"
        default: return "sample-\(option.name)"
        }
    }

    /// The least a command needs besides the option under test: its required
    /// positionals and options.
    private func minimalArguments(_ command: CommandEntry, except name: String? = nil) -> [String] {
        var arguments: [String] = []
        for option in command.options {
            switch option.kind {
            case .positional(required: true, _):
                arguments.append(option.name.contains("ID") ? UUID().uuidString : "m.csv")
            case .value(required: true) where option.name != name:
                arguments += ["--" + option.name, sample(option)]
            default:
                break
            }
        }
        return arguments
    }

    @Test func everyDeclaredOptionAppearsInItsHelpAndEveryOptionTheHelpShowsIsAccepted() throws {
        #expect(CommandTable.all.count >= 12)
        for command in CommandTable.all {
            let help = HelpFormatter.help(command)
            let usage = HelpFormatter.usage(command)
            for option in command.options {
                #expect(help.contains("  " + option.helpLabel), "\(command.name): \(option.spelling) is not in the option table")
                #expect(usage.contains(option.usage), "\(command.name): \(option.usage) is not in the usage line")
            }
            let declared = Set(command.options.filter { !$0.isPositional }.map(\.name))
            for name in optionsShown(in: help) where name != "help" {
                #expect(declared.contains(name), "\(command.name): its help shows --\(name), which it does not take")
                guard let option = command.options.first(where: { $0.name == name && !$0.isPositional }) else { continue }
                var arguments = minimalArguments(command, except: name)
                arguments += option.takesValue ? ["--" + name, sample(option)] : ["--" + name]
                #expect(throws: Never.self, "\(command.name) \(arguments)") { try command.parse(arguments) }
            }
            // Every example parses (up to a pipe, a redirection or a comment), with the
            // command it runs (plan's help shows the `apply PLAN` that follows it).
            #expect(command.configuration.examples.contains { $0.contains("mfa-batch " + command.name) }, "\(command.name)")
            for example in command.configuration.examples {
                guard let start = example.range(of: "mfa-batch ") else {
                    Issue.record("\(command.name): example does not run mfa-batch: \(example)")
                    continue
                }
                let line = example[start.upperBound...].prefix { !"|<>#)".contains($0) }
                let words = line.split(separator: " ").map(String.init)
                guard case .command(let runs, let arguments) = CommandTable.lookup(words) else {
                    Issue.record("\(command.name): example runs no command: \(example)")
                    continue
                }
                #expect(throws: Never.self, "\(command.name) example: \(example)") { try runs.parse(arguments) }
            }
        }
    }

    /// The scheduled jobs in `jobs/` use options the parser accepts.
    @Test func theSchedulingExamplesParse() throws {
        let jobs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("jobs")
        var checked = 0
        for file in ["crontab.example", "mfa-batch.service"] {
            let text = try String(contentsOf: jobs.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let start = line.range(of: "mfa-batch apply ") ?? line.range(of: "mfa-batch runs ") else { continue }
                let words = line[line.index(start.lowerBound, offsetBy: "mfa-batch ".count)...]
                    .replacingOccurrences(of: "$(date +\\%F)", with: "DATE").split(separator: " ").map(String.init)
                guard case .command(let command, let arguments) = CommandTable.lookup(words) else {
                    Issue.record("\(file): \(line)")
                    continue
                }
                #expect(throws: Never.self, "\(file): \(line)") { try command.parse(arguments) }
                checked += 1
            }
        }
        #expect(checked == 3)
    }

    @Test func theTopLevelHelpListsEveryCommandByItsPurposeLine() {
        let top = CommandTable.topLevelHelp
        for command in CommandTable.all {
            let help = HelpFormatter.help(command)
            #expect(help.hasPrefix("mfa-batch \(command.name): \(command.configuration.summary)\n"))
            let listed = top.split(separator: "\n").contains {
                $0.hasPrefix("  \(command.name) ") && command.configuration.summary.hasPrefix(
                    $0.dropFirst(2 + command.name.count).trimmingCharacters(in: .whitespaces))
            }
            #expect(listed, "\(command.name) is not listed with its purpose line")
        }
    }

    @Test func aMisspelledOptionSuggestsTheNearestDeclaredOne() throws {
        let apply = try #require(CommandTable.all.first { $0.name == "apply" })
        do {
            try apply.parse(["x.csv", "--dry-rn"])
            Issue.record("--dry-rn was accepted")
        } catch let error as CLIError {
            #expect(error.exitCode == .usage && error.isInvocation)
            #expect(error.message == "unknown option '--dry-rn' (did you mean --dry-run?)")
        }
        #expect(CommandTable.suggestion(for: "aply") == " (did you mean apply?)")
        #expect(CommandTable.suggestion(for: "zzzzzz") == "")
    }

    @Test func valuesAreTypedAndCheckedOnce() throws {
        let options = try ApplyCommand.Options.parse(["m.csv", "--parallel", "3", "--progress", "never", "--format", "ndjson",
                                                      "--report", "a.json", "--report=b.html", "--job", "nightly"])
        #expect(options.target == "m.csv" && options.run.parallel == 3 && options.run.output.progress == .never)
        #expect(options.run.format == .jsonl && options.run.output.reports == ["a.json", "b.html"])
        #expect(options.run.job == "nightly" && !options.dryRun)
        #expect(ApplyCommand.Options.init().run.parallel == ApplyRun.defaultParallel)
        let failures: [([String], String)] = [
            (["m.csv", "--parallel", "65"], "--parallel '65' is not a number from 1 to 64"),
            (["m.csv", "--progress", "sometimes"], "--progress 'sometimes' is not one of auto, always, never"),
            (["m.csv", "--report", "a", "--report", "b", "--report", "c"], "--report may be given at most twice"),
            (["m.csv", "--job", "a", "--job", "b"], "option '--job' given twice"),
            (["m.csv", "--report", "--quiet"], "option '--report' needs a value (PATH)"),
            (["m.csv", "--quiet=yes"], "option '--quiet' takes no value"),
            (["m.csv", "n.csv"], "unexpected argument 'n.csv'"),
            ([], "missing MANIFEST|PLAN"),
            (["m.csv", "-x"], "unknown option '-x'"),
        ]
        for (arguments, message) in failures {
            #expect(throws: CLIError.self, "\(arguments)") { try ApplyCommand.Options.parse(arguments) }
            do { _ = try ApplyCommand.Options.parse(arguments) } catch let error as CLIError {
                #expect(error.message == message, "\(arguments)")
            }
        }
        // `--` ends the options: a manifest may be called `--odd.csv`.
        #expect(try ApplyCommand.Options.parse(["--", "--odd.csv"]).target == "--odd.csv")
        #expect(try PlanCommand.Options.parse(["m.csv", "--out", "p.plan"]).out == "p.plan")
        #expect(throws: CLIError.self) { try PlanCommand.Options.parse(["m.csv"]) }
        #expect(throws: CLIError.self) { try PlanCommand.Options.parse(["-", "--out", "p"]) }
        #expect(try KeysCreateCommand.Options.parse(["--account", "acme", "--expires-in", "90d"]).expiresIn?.seconds == 90 * 86400)
        #expect(throws: CLIError.self) { try KeysCreateCommand.Options.parse(["--account", "acme", "--scope", "a b"]) }
        #expect(try RunsPruneCommand.Options.parse(["--older-than", "12h"]).olderThan?.seconds == 12 * 3600)
    }
}
