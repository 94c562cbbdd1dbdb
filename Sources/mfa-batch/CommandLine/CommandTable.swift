import MFABatchCore

/// Every command, how the entry point finds the one an invocation names, and the
/// top-level help. Adding a command is one line in `all`.
enum CommandTable {
    /// In the order `mfa-batch --help` lists them.
    static var all: [CommandEntry] {
        [
            MigrateCommand.entry,
            ValidateCommand.entry,
            ApplyCommand.entry,
            PlanCommand.entry,
            RunsCommand.entry,
            RunsShowCommand.entry,
            RunsPruneCommand.entry,
            RunsRevertCommand.entry,
            KeysCreateCommand.entry,
            KeysListCommand.entry,
            KeysRevokeCommand.entry,
            HelpCommand.entry,
            CompletionCommand.entry,
        ]
    }

    /// What an invocation names.
    enum Lookup {
        /// A command, and the arguments after its words.
        case command(CommandEntry, arguments: [String])
        /// A group's word alone (`keys`), or a group's word and something else.
        case group(String, members: [CommandEntry], unknown: String?)
        case unknown(String)
    }

    /// The longest command whose words start the arguments. `runs` is a command and a
    /// group: `runs shwo` is taken for a misspelled subcommand, since `runs` takes no
    /// positional.
    static func lookup(_ arguments: [String], in commands: [CommandEntry] = all) -> Lookup {
        guard let first = arguments.first else { return .unknown("") }
        let match = commands.filter { Array(arguments.prefix($0.words.count)) == $0.words }
            .max { $0.words.count < $1.words.count }
        let members = commands.filter { $0.words.count > 1 && $0.words[0] == first }
        if let match {
            let rest = Array(arguments.dropFirst(match.words.count))
            if match.words.count == 1, !members.isEmpty, match.positionals.isEmpty,
               let next = rest.first, !next.hasPrefix("-") {
                return .group(first, members: members, unknown: next)
            }
            return .command(match, arguments: rest)
        }
        if !members.isEmpty {
            let next = arguments.dropFirst().first
            return .group(first, members: members, unknown: next.flatMap { $0.hasPrefix("-") ? nil : $0 })
        }
        return .unknown(first)
    }

    /// ` (did you mean apply?)` for a misspelled command: among the first words, and
    /// among whole commands (`keys creat` → `keys create`).
    static func suggestion(for word: String, among commands: [CommandEntry] = all) -> String {
        var firstWords: [String] = []
        for command in commands where !firstWords.contains(command.words[0]) { firstWords.append(command.words[0]) }
        return Suggestion.hint(for: word, among: firstWords)
    }

    static func groupHelp(_ group: String, members: [CommandEntry]) -> String {
        "usage: mfa-batch \(group) SUBCOMMAND [OPTIONS]\n\nsubcommands:\n"
            + HelpFormatter.table(members.map { ($0.name, $0.configuration.summary) })
            + "\n\nRun `mfa-batch help \(group) SUBCOMMAND` for its options and examples."
    }

    static var topLevelHelp: String {
        let commands = all
        return """
            mfa-batch: bulk MFA setting changes across the tenants of a PostgreSQL database

            usage: mfa-batch COMMAND [OPTIONS]
                   mfa-batch help COMMAND      (the same as `mfa-batch COMMAND --help`)
                   mfa-batch --version

            commands:
            \(HelpFormatter.table(commands.map { ($0.name, $0.configuration.summary) }))

            options:
            \(HelpFormatter.table([("-h, --help", "show this help"), ("--version", "print the version and the newest migration it carries")]))

            examples:
              mfa-batch migrate
              mfa-batch validate jobs/enforce-totp.csv
              mfa-batch apply jobs/enforce-totp.csv --dry-run --report preview.html
              mfa-batch apply jobs/enforce-totp.csv --job enforce-totp --report run.json --metrics /var/lib/node_exporter/textfile/mfa-batch.prom
              source <(mfa-batch completion bash)

            Run `mfa-batch help COMMAND` for a command's options and examples.
            """
    }

    /// `mfa-batch 0.1.0 (migrations: 9, newest 0009_run_outcomes.sql)`.
    static var versionText: String {
        let migrations = Migration.bundled
        return "mfa-batch \(Version.current) (migrations: \(migrations.count), newest \(migrations.last?.name ?? "none"))"
    }
}

/// The version of this build, printed by `--version` and recorded in `--metrics`.
enum Version {
    static let current = "0.1.0"
}
