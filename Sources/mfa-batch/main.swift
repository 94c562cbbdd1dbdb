import Foundation
import MFABatchCore

/// Finds the command, parses its options, runs it, and turns every failure into an
/// exit code and one stderr line, here and only here (`CLIError.init(_:)` decides
/// the code).
nonisolated func runMain(_ argv: [String]) -> Int32 {
    StandardStreams.prepare()
    let arguments = Array(argv.dropFirst())
    let console = Console(environment: ProcessInfo.processInfo.environment, logFormat: Console.logFormat(in: arguments))
    switch arguments {
    case []:
        console.err(CommandTable.topLevelHelp)
        return ExitCode.usage.rawValue
    case ["--help"], ["-h"], ["help"]:
        console.out(CommandTable.topLevelHelp)
        return ExitCode.success.rawValue
    case ["--version"], ["version"]:
        console.out(CommandTable.versionText)
        return ExitCode.success.rawValue
    default:
        break
    }
    let command: CommandEntry
    let rest: [String]
    switch CommandTable.lookup(arguments) {
    case .command(let found, let arguments):
        command = found
        rest = arguments
    case .group(let group, let members, let unknown):
        let help = CommandTable.groupHelp(group, members: members)
        if unknown == nil, arguments.count == 2, ["--help", "-h"].contains(arguments[1]) {
            console.out(help)
            return ExitCode.success.rawValue
        }
        let problem = unknown.map {
            "unknown subcommand '\(group) \($0)'" + Suggestion.hint(for: $0, among: members.map { $0.words[1] }) {
                "`\(group) \($0)`"
            }
        } ?? "missing or unknown subcommand of '\(group)'"
        console.err("mfa-batch: error: \(problem)\n\n" + help)
        return ExitCode.usage.rawValue
    case .unknown(let word):
        let hint = CommandTable.suggestion(for: word)
        console.err("mfa-batch: error: unknown command '\(word)'\(hint)\n\nRun `mfa-batch --help` for the commands.")
        return ExitCode.usage.rawValue
    }
    // `--help` anywhere before `--` (a value such as `--report --help` is no file name).
    if rest.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
        console.out(HelpFormatter.help(command))
        return ExitCode.success.rawValue
    }
    do {
        return try command.execute(rest, console).rawValue
    } catch {
        let failure = CLIError(error)
        let hint = failure.isInvocation ? "\n(see `mfa-batch help \(command.name)`)" : ""
        console.err("mfa-batch: error: \(failure.message)\(hint)")
        return failure.exitCode.rawValue
    }
}

exit(runMain(CommandLine.arguments))
