import MFABatchCore

/// One subcommand: its help text, its options, and `run`, which returns the exit
/// code for a run that finished or throws a `CLIError` (or a domain error the
/// entry point maps) for one that could not.
protocol Command {
    /// e.g. `["keys", "create"]`.
    static var words: [String] { get }
    static var summary: String { get }
    static var help: String { get }
    static var options: [OptionSpec] { get }

    init(_ arguments: ParsedArguments, console: Console) throws
    func run() throws -> ExitCode
}

/// Options every database command takes.
let databaseOptions: [OptionSpec] = [.value("database-url")]
