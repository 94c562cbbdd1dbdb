import MFABatchCore

/// A type an option's text converts to (swift-argument-parser's
/// `ExpressibleByArgument`): the parser converts once, so a command reads typed
/// values and never a string by name.
protocol OptionValue {
    /// The value `text` spells, or nil.
    init?(optionText text: String)
    /// The accepted spellings, when there is a fixed set (shown in help, completed by
    /// the shell).
    static var choices: [String]? { get }
    /// What a wrong value should have been, for the error: `one of auto, always, never`.
    static var expected: String { get }
}

extension OptionValue {
    static var choices: [String]? { nil }
}

extension String: OptionValue {
    init?(optionText text: String) { self = text }
    static var expected: String { "text" }
}

extension Int: OptionValue {
    init?(optionText text: String) { self.init(text) }
    static var expected: String { "a whole number" }
}

/// A value with a fixed set of spellings (its raw values).
protocol ChoiceValue: OptionValue, CaseIterable, RawRepresentable where RawValue == String {}

extension ChoiceValue {
    init?(optionText text: String) { self.init(rawValue: text) }
    static var choices: [String]? { allCases.map(\.rawValue) }
    static var expected: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }
}

/// `--progress`: `auto` (only when stderr is a terminal), `always`, `never`.
enum ProgressMode: String, ChoiceValue, Sendable {
    case auto, always, never
}

extension Console.LogFormat: ChoiceValue {}

extension ManifestFormat: OptionValue {
    init?(optionText text: String) { self.init(option: text) }
    static var choices: [String]? { ["csv", "json", "jsonl"] }
    static var expected: String { "one of csv, json, jsonl (or ndjson)" }
}

/// `--older-than`, `--expires-in`: a whole number and a unit (`90s`, `30m`, `12h`, `90d`).
struct DurationOption: OptionValue, Sendable, Equatable {
    var seconds: Int
    init?(optionText text: String) {
        guard let seconds = DurationText.seconds(text) else { return nil }
        self.seconds = seconds
    }
    static var expected: String { "a duration like 90s, 30m, 12h or 90d" }
}
