import MFABatchCore

/// What a command says about itself; with its option declarations, everything
/// `--help`, `mfa-batch help COMMAND`, the top-level help and shell completion show.
struct CommandConfiguration: Sendable {
    /// e.g. `["keys", "create"]`.
    var words: [String]
    /// The purpose line: the same words in `mfa-batch --help` and at the top of the
    /// command's own help.
    var summary: String
    /// Paragraphs after the usage line.
    var discussion: String = ""
    /// Shell lines, each optionally followed by `  # what it does`.
    var examples: [String] = []
    /// Environment variables the command reads, and what for.
    var environment: [(name: String, meaning: String)] = []

    var name: String { words.joined(separator: " ") }
}

/// One command: its configuration, its typed options, and `run`, which returns the
/// exit code of a run that finished or throws for one that could not (the error
/// keeps its type until `CLIError.init(_:)` maps it). One file per command, like
/// swift-argument-parser's `ParsableCommand`; adding one (say `runs revert`) means
/// a file with an options struct and a `run`, and a line in `CommandTable.all`.
protocol Command {
    associatedtype Options: ParsableArguments
    static var configuration: CommandConfiguration { get }
    init(options: Options, console: Console) throws
    func run() throws -> ExitCode
}

/// A command with its options type erased, for the table the entry point searches.
struct CommandEntry {
    var configuration: CommandConfiguration
    var options: [OptionInfo]
    /// Parses the arguments after the command words, then runs the command.
    var execute: ([String], Console) throws -> ExitCode
    /// Only parses and validates them (tests: every option the help shows is accepted).
    var parse: ([String]) throws -> Void

    var words: [String] { configuration.words }
    var name: String { configuration.name }
    var positionals: [OptionInfo] { options.filter(\.isPositional) }
}

extension Command {
    static var entry: CommandEntry {
        CommandEntry(configuration: configuration, options: Options.declarations.map(\.info),
                     execute: { arguments, console in try Self(options: Options.parse(arguments), console: console).run() },
                     parse: { arguments in _ = try Options.parse(arguments) })
    }
}
