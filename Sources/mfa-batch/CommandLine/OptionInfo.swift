/// What is known about one option or positional of a command, from its declaration:
/// the usage line, `--help` and shell completion are all generated from these, so
/// they cannot drift from what the parser accepts.
struct OptionInfo: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `--quiet`: present or not.
        case flag
        /// `--job NAME`, at most once (`required`: the command needs it).
        case value(required: Bool)
        /// `--report PATH`, again and again (up to `max` times when given).
        case repeatable(max: Int?)
        /// A positional (`MANIFEST`); `variadic` takes every remaining one.
        case positional(required: Bool, variadic: Bool)
    }

    /// How a shell completes the value.
    enum Completion: Sendable, Equatable {
        case none
        case file
        case choices([String])
        /// The command words (`help COMMAND`).
        case commands
    }

    /// `dry-run` for `--dry-run`; `MANIFEST` for a positional.
    var name: String
    var kind: Kind
    /// What stands for the value in usage and help: `N`, `PATH`, `auto|always|never`.
    var placeholder: String
    /// One or more sentences; wrapped by the help formatter.
    var help: String
    /// Shown after the help as `(default: …)`.
    var defaultText: String?
    var completion: Completion

    var isPositional: Bool {
        if case .positional = kind { return true }
        return false
    }

    var takesValue: Bool {
        switch kind {
        case .flag, .positional: return false
        case .value, .repeatable: return true
        }
    }

    /// `--dry-run`, or the positional's name.
    var spelling: String { isPositional ? name : "--" + name }

    /// The option as the usage line shows it: `[--parallel N]`, `--out PLAN`,
    /// `[--report PATH]...`, `MANIFEST`, `[COMMAND...]`.
    var usage: String {
        switch kind {
        case .flag: return "[--\(name)]"
        case .value(let required): return required ? "--\(name) \(placeholder)" : "[--\(name) \(placeholder)]"
        case .repeatable: return "[--\(name) \(placeholder)]..."
        case .positional(let required, let variadic):
            let shown = variadic ? name + "..." : name
            return required ? shown : "[\(shown)]"
        }
    }

    /// The left column of the help: `--parallel N`, `MANIFEST`.
    var helpLabel: String {
        switch kind {
        case .flag, .positional: return spelling
        case .value, .repeatable: return "--\(name) \(placeholder)"
        }
    }
}
