/// A command's options as one typed value: `init()` holds every default, the
/// declarations say how each argument fills it, and `validate()` checks what no
/// single option can (swift-argument-parser's `ParsableArguments`).
protocol ParsableArguments {
    init()
    /// Every positional and option, in the order `--help` lists them.
    static var declarations: [OptionDeclaration<Self>] { get }
    /// Checks across options, after parsing; throws `CLIError.invocation`.
    mutating func validate() throws
}

extension ParsableArguments {
    mutating func validate() throws {}

    /// Parses the arguments after the command words, fills the options once, and
    /// validates them. Accepts `--name value`, `--name=value`, and `--` to end the
    /// options; a lone `-` is a positional (stdin). An unknown option is refused with
    /// the nearest declared one suggested.
    static func parse(_ arguments: [String]) throws -> Self {
        let declarations = Self.declarations
        var options = Self()
        var counts: [String: Int] = [:]
        var positionals: [String] = []
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = String(argument.drop { $0 == "-" })
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard argument.hasPrefix("--"),
                  let declaration = declarations.first(where: { !$0.info.isPositional && $0.info.name == name }) else {
                let known = declarations.filter { !$0.info.isPositional }.map(\.info.name) + ["help"]
                throw CLIError.invocation("unknown option '\(argument.prefix { $0 != "=" })'"
                    + Suggestion.hint(for: name, among: known, spelled: { "--" + $0 }))
            }
            let info = declaration.info
            counts[name, default: 0] += 1
            switch info.kind {
            case .flag:
                if inlineValue != nil { throw CLIError.invocation("option '--\(name)' takes no value") }
                try declaration.store(&options, nil)
            case .value, .repeatable:
                if case .value = info.kind, counts[name]! > 1 {
                    throw CLIError.invocation("option '--\(name)' given twice")
                }
                if case .repeatable(let max?) = info.kind, counts[name]! > max {
                    throw CLIError.invocation("--\(name) may be given at most \(max == 2 ? "twice" : "\(max) times")")
                }
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    // `--report --quiet` is a forgotten value, not a report named --quiet.
                    guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                        throw CLIError.invocation("option '--\(name)' needs a value (\(info.placeholder))")
                    }
                    value = arguments[index]
                    index += 1
                }
                try declaration.store(&options, value)
            case .positional:
                break
            }
        }
        try fill(&options, positionals: positionals, declarations.filter(\.info.isPositional))
        for declaration in declarations where declaration.info.kind == .value(required: true) {
            if counts[declaration.info.name] == nil {
                throw CLIError.invocation("--\(declaration.info.name) \(declaration.info.placeholder) is required")
            }
        }
        try options.validate()
        return options
    }

    private static func fill(_ options: inout Self, positionals: [String],
                             _ declarations: [OptionDeclaration<Self>]) throws {
        var remaining = positionals[...]
        for declaration in declarations {
            guard case .positional(let required, let variadic) = declaration.info.kind else { continue }
            if variadic {
                while let next = remaining.popFirst() { try declaration.store(&options, next) }
            } else if let next = remaining.popFirst() {
                try declaration.store(&options, next)
            } else if required {
                throw CLIError.invocation("missing \(declaration.info.name)")
            }
        }
        if let extra = remaining.first { throw CLIError.invocation("unexpected argument '\(extra)'") }
    }
}

/// A command that takes no options but `--help`.
struct NoOptions: ParsableArguments {
    static var declarations: [OptionDeclaration<Self>] { [] }
}
