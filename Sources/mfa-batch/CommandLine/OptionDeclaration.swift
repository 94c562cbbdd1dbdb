/// One option or positional of a command, declared once: its name, value type, help,
/// default and validation (`info`), and where the parsed value goes in the command's
/// typed options (`store`). swift-argument-parser's `@Option`/`@Flag`/`@Argument`,
/// as plain values over key paths:
///
/// ```swift
/// struct RunsOptions: ParsableArguments {
///     var limit = 20
///     var json = false
///     static var declarations: [OptionDeclaration<Self>] {
///         [.option("limit", \.limit, placeholder: "N", help: "how many runs", defaultText: "20",
///                  valid: { $0 > 0 }, expected: "a positive number"),
///          .flag("json", \.json, help: "one JSON object per run, one a line")]
///     }
/// }
/// ```
struct OptionDeclaration<Options> {
    var info: OptionInfo
    /// Stores one occurrence: the value's text (nil for a flag). Throws a usage error
    /// naming the option when the text is not a valid value.
    var store: (inout Options, String?) throws -> Void

    /// The same declaration inside a larger options struct (an option group shared
    /// by several commands, like ArgumentParser's `@OptionGroup`).
    func lifted<Outer>(into group: WritableKeyPath<Outer, Options>) -> OptionDeclaration<Outer> {
        let store = self.store
        return OptionDeclaration<Outer>(info: info) { outer, text in try store(&outer[keyPath: group], text) }
    }

    /// `--name`: true when given.
    static func flag(_ name: String, _ path: WritableKeyPath<Options, Bool>, help: String) -> Self {
        OptionDeclaration(info: OptionInfo(name: name, kind: .flag, placeholder: "", help: help, defaultText: nil,
                                           completion: .none)) { options, _ in options[keyPath: path] = true }
    }

    /// `--name VALUE`, at most once, into an optional (nil when not given).
    static func option<Value: OptionValue>(
        _ name: String, _ path: WritableKeyPath<Options, Value?>, placeholder: String? = nil, help: String,
        defaultText: String? = nil, required: Bool = false, completion: OptionInfo.Completion? = nil,
        valid: @escaping (Value) -> Bool = { _ in true }, expected: String? = nil
    ) -> Self {
        let info = OptionInfo(name: name, kind: .value(required: required),
                              placeholder: placeholder ?? Value.choices?.joined(separator: "|") ?? "VALUE", help: help,
                              defaultText: defaultText,
                              completion: completion ?? Value.choices.map(OptionInfo.Completion.choices) ?? .none)
        return OptionDeclaration(info: info) { options, text in
            options[keyPath: path] = try convert(text, for: info, valid: valid, expected: expected)
        }
    }

    /// `--name VALUE`, at most once, into a value that holds its default when not given.
    static func option<Value: OptionValue>(
        _ name: String, _ path: WritableKeyPath<Options, Value>, placeholder: String? = nil, help: String,
        defaultText: String, completion: OptionInfo.Completion? = nil,
        valid: @escaping (Value) -> Bool = { _ in true }, expected: String? = nil
    ) -> Self {
        let info = OptionInfo(name: name, kind: .value(required: false),
                              placeholder: placeholder ?? Value.choices?.joined(separator: "|") ?? "VALUE", help: help,
                              defaultText: defaultText,
                              completion: completion ?? Value.choices.map(OptionInfo.Completion.choices) ?? .none)
        return OptionDeclaration(info: info) { options, text in
            options[keyPath: path] = try convert(text, for: info, valid: valid, expected: expected)
        }
    }

    /// `--name VALUE`, repeatable (at most `max` times when given), into an array.
    static func repeatable<Value: OptionValue>(
        _ name: String, _ path: WritableKeyPath<Options, [Value]>, placeholder: String, help: String,
        defaultText: String? = nil, max: Int? = nil, completion: OptionInfo.Completion = .none,
        valid: @escaping (Value) -> Bool = { _ in true }, expected: String? = nil
    ) -> Self {
        let info = OptionInfo(name: name, kind: .repeatable(max: max), placeholder: placeholder, help: help,
                              defaultText: defaultText, completion: completion)
        return OptionDeclaration(info: info) { options, text in
            options[keyPath: path].append(try convert(text, for: info, valid: valid, expected: expected))
        }
    }

    /// A positional, into an optional string (`required`: the parser insists).
    static func positional(_ name: String, _ path: WritableKeyPath<Options, String?>, help: String,
                           required: Bool = true, completion: OptionInfo.Completion = .file) -> Self {
        OptionDeclaration(info: OptionInfo(name: name, kind: .positional(required: required, variadic: false),
                                           placeholder: name, help: help, defaultText: nil, completion: completion)) {
            options, text in options[keyPath: path] = text
        }
    }

    /// Every remaining positional, into an array.
    static func positionals(_ name: String, _ path: WritableKeyPath<Options, [String]>, help: String,
                            completion: OptionInfo.Completion = .none) -> Self {
        OptionDeclaration(info: OptionInfo(name: name, kind: .positional(required: false, variadic: true),
                                           placeholder: name, help: help, defaultText: nil, completion: completion)) {
            options, text in options[keyPath: path].append(text ?? "")
        }
    }

    private static func convert<Value: OptionValue>(_ text: String?, for info: OptionInfo,
                                                    valid: (Value) -> Bool, expected: String?) throws -> Value {
        let text = text ?? ""
        guard let value = Value(optionText: text), valid(value) else {
            throw CLIError.invocation("--\(info.name) '\(text)' is not \(expected ?? Value.expected)")
        }
        return value
    }
}

extension Array {
    /// Every declaration of an option group, inside a larger options struct.
    func lifted<Group, Outer>(into group: WritableKeyPath<Outer, Group>) -> [OptionDeclaration<Outer>]
    where Element == OptionDeclaration<Group> {
        map { $0.lifted(into: group) }
    }
}
