import Foundation
import MFABatchCore
import Postgres

/// The commands, in the order `--help` lists them.
nonisolated var commands: [any Command.Type] {
    [
        MigrateCommand.self,
        ValidateCommand.self,
        ApplyCommand.self,
        PlanCommand.self,
        RunsCommand.self,
        RunsShowCommand.self,
        RunsPruneCommand.self,
        KeysCreateCommand.self,
        KeysListCommand.self,
        KeysRevokeCommand.self,
    ]
}

nonisolated func topLevelHelp() -> String {
    var text = "usage: mfa-batch COMMAND [OPTIONS]\n\ncommands:\n"
    for command in commands {
        let words = command.words.joined(separator: " ")
        text += "  " + words.padding(toLength: 14, withPad: " ", startingAt: 0) + command.summary + "\n"
    }
    text += "\nRun `mfa-batch COMMAND --help` for a command's options."
    return text
}

/// Finds the command, parses its options, runs it and maps every failure to the
/// contract's exit codes (section 3) in one place.
nonisolated func runMain(_ argv: [String]) -> Int32 {
    StandardStreams.prepare()
    let arguments = Array(argv.dropFirst())
    let console = Console(environment: ProcessInfo.processInfo.environment, logFormat: Console.logFormat(in: arguments))
    if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] || arguments == ["help"] {
        console.out(topLevelHelp())
        return arguments.isEmpty ? ExitCode.usage.rawValue : ExitCode.success.rawValue
    }
    // The longest command whose words prefix the arguments.
    let match = commands
        .filter { Array(arguments.prefix($0.words.count)) == $0.words }
        .max { $0.words.count < $1.words.count }
    guard let command = match else {
        // A command group (`keys`): list its subcommands.
        let group = commands.filter { $0.words.count > 1 && $0.words[0] == arguments[0] }
        if !group.isEmpty {
            var text = "usage: mfa-batch \(arguments[0]) SUBCOMMAND [OPTIONS]\n\nsubcommands:\n"
            for member in group {
                text += "  " + member.words.joined(separator: " ").padding(toLength: 14, withPad: " ", startingAt: 0)
                    + member.summary + "\n"
            }
            text += "\nRun `mfa-batch \(arguments[0]) SUBCOMMAND --help` for its options."
            let asked = arguments.count == 2 && (arguments[1] == "--help" || arguments[1] == "-h")
            if asked { console.out(text) } else { console.err("mfa-batch: error: missing or unknown subcommand\n\n" + text) }
            return asked ? ExitCode.success.rawValue : ExitCode.usage.rawValue
        }
        console.err("mfa-batch: error: unknown command '\(arguments[0])'\n\n" + topLevelHelp())
        return ExitCode.usage.rawValue
    }
    let rest = Array(arguments.dropFirst(command.words.count))
    if rest.contains("--help") || rest.contains("-h") {
        console.out(command.help)
        return ExitCode.success.rawValue
    }
    do {
        let parsed = try ParsedArguments(rest, options: command.options)
        return try command.init(parsed, console: console).run().rawValue
    } catch let error as CLIError {
        let hint = error.exitCode == .usage ? "\n(see `mfa-batch \(command.words.joined(separator: " ")) --help`)" : ""
        console.err("mfa-batch: error: \(error.message)\(hint)")
        return error.exitCode.rawValue
    } catch let error as ManifestError {
        console.err("mfa-batch: error: \(error)")
        return ExitCode.usage.rawValue
    } catch let error as EngineError {
        console.err("mfa-batch: error: \(error)")
        return ExitCode.database.rawValue
    } catch let error as Migrator.Failure {
        console.err("mfa-batch: error: \(error)")
        return ExitCode.database.rawValue
    } catch let error as PostgresError {
        console.err("mfa-batch: database error: \(error)")
        return ExitCode.database.rawValue
    } catch {
        console.err("mfa-batch: error: \(error)")
        return ExitCode.usage.rawValue
    }
}

exit(runMain(CommandLine.arguments))
