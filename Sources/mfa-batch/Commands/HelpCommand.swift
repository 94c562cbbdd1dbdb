import MFABatchCore

/// `mfa-batch help COMMAND`: the same text as `mfa-batch COMMAND --help`.
struct HelpCommand: Command {
    struct Options: ParsableArguments {
        var words: [String] = []

        static var declarations: [OptionDeclaration<Self>] {
            [.positionals("COMMAND", \.words, help: "a command, e.g. `apply` or `keys create`",
                          completion: .commands)]
        }
    }

    static let configuration = CommandConfiguration(
        words: ["help"],
        summary: "show a command's help (the same as `mfa-batch COMMAND --help`)",
        examples: ["mfa-batch help apply", "mfa-batch help keys create"])

    let options: Options
    let console: Console

    init(options: Options, console: Console) throws {
        self.options = options
        self.console = console
    }

    func run() throws -> ExitCode {
        if options.words.isEmpty {
            console.out(CommandTable.topLevelHelp)
            return .success
        }
        switch CommandTable.lookup(options.words) {
        case .command(let command, let rest) where rest.isEmpty:
            console.out(HelpFormatter.help(command))
        case .group(let group, let members, nil):
            console.out(CommandTable.groupHelp(group, members: members))
        case .group(let group, let members, let unknown?):
            throw CLIError.invocation("unknown subcommand '\(group) \(unknown)'"
                + Suggestion.hint(for: unknown, among: members.map { $0.words[1] }) { "`\(group) \($0)`" })
        case .command(let command, let rest):
            throw CLIError.invocation("'\(command.name)' has no subcommand '\(rest.joined(separator: " "))'")
        case .unknown(let word):
            throw CLIError.invocation("unknown command '\(word)'" + CommandTable.suggestion(for: word))
        }
        return .success
    }
}
