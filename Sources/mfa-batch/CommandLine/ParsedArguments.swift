/// Our small command-line parser (the product takes no packages, so no
/// ArgumentParser; this copies its shape): each command declares its options,
/// and parsing either yields positionals, values and flags, or a usage error that
/// names the offending argument.
struct OptionSpec {
    var name: String
    var takesValue: Bool
    var repeatable: Bool = false

    static func flag(_ name: String) -> OptionSpec { OptionSpec(name: name, takesValue: false) }
    static func value(_ name: String, repeatable: Bool = false) -> OptionSpec {
        OptionSpec(name: name, takesValue: true, repeatable: repeatable)
    }
}

struct ParsedArguments {
    var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `arguments` (without the command words). Accepts `--name value`,
    /// `--name=value`, `--` to end options; a lone `-` is a positional (stdin).
    init(_ arguments: [String], options: [OptionSpec]) throws {
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if onlyPositionals || !argument.hasPrefix("--") {
                if !onlyPositionals, argument.hasPrefix("-"), argument != "-" {
                    throw CLIError.usage("unknown option '\(argument)'")
                }
                positionals.append(argument)
                continue
            }
            if argument == "--" { onlyPositionals = true; continue }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let spec = options.first(where: { $0.name == name }) else {
                throw CLIError.usage("unknown option '--\(name)'")
            }
            if spec.takesValue {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw CLIError.usage("option '--\(name)' needs a value") }
                    value = arguments[index]
                    index += 1
                }
                if !spec.repeatable, values[name] != nil {
                    throw CLIError.usage("option '--\(name)' given twice")
                }
                values[name, default: []].append(value)
            } else {
                if inlineValue != nil { throw CLIError.usage("option '--\(name)' takes no value") }
                flags.insert(name)
            }
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func values(_ name: String) -> [String] { values[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Exactly `count` positionals, or a usage error naming what is expected.
    func requirePositionals(_ names: [String]) throws -> [String] {
        if positionals.count < names.count {
            throw CLIError.usage("missing \(names[positionals.count].uppercased())")
        }
        if positionals.count > names.count {
            throw CLIError.usage("unexpected argument '\(positionals[names.count])'")
        }
        return positionals
    }
}
