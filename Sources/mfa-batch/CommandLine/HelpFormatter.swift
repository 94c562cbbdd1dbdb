/// Builds the usage line and `--help` of a command from its configuration and option
/// declarations; `mfa-batch help COMMAND` and `COMMAND --help` print the same text,
/// and the top-level help lists each command's purpose line as its help starts.
enum HelpFormatter {
    static let width = 80
    /// `-h, --help` is accepted by every command; the help lists it with the options.
    static let helpOption = OptionInfo(name: "help", kind: .flag, placeholder: "", help: "show this help",
                                       defaultText: nil, completion: .none)

    static func usage(_ command: CommandEntry) -> String {
        let lead = "usage: mfa-batch \(command.name)"
        let parts = command.positionals.map(\.usage) + command.options.filter { !$0.isPositional }.map(\.usage)
        return wrapWords(parts, firstPrefix: lead + " ", prefix: String(repeating: " ", count: lead.count + 1))
    }

    static func help(_ command: CommandEntry) -> String {
        let configuration = command.configuration
        var sections = ["mfa-batch \(command.name): \(configuration.summary)", usage(command)]
        if !configuration.discussion.isEmpty {
            sections.append(configuration.discussion.split(separator: "\n\n", omittingEmptySubsequences: true)
                .map { wrap(String($0).split(whereSeparator: \.isNewline).joined(separator: " "), prefix: "") }
                .joined(separator: "\n\n"))
        }
        let positionals = command.positionals
        if !positionals.isEmpty {
            sections.append("arguments:\n" + table(positionals.map { ($0.helpLabel, text(of: $0)) }))
        }
        let options = command.options.filter { !$0.isPositional }
        sections.append("options:\n" + table(options.map { ($0.helpLabel, text(of: $0)) }
            + [("-h, --help", helpOption.help)]))
        if !configuration.environment.isEmpty {
            sections.append("environment:\n" + table(configuration.environment.map { ($0.name, $0.meaning) }))
        }
        if !configuration.examples.isEmpty {
            sections.append("examples:\n" + configuration.examples.map { "  " + $0 }.joined(separator: "\n"))
        }
        return sections.joined(separator: "\n\n")
    }

    /// The help of one option: its sentence, then `(default: …)` and, for a repeatable
    /// option, how often.
    static func text(of option: OptionInfo) -> String {
        var text = option.help
        if case .repeatable(let max) = option.kind {
            text += max.map { $0 == 2 ? "; at most twice" : "; at most \($0) times" } ?? "; repeatable"
        }
        if let defaultText = option.defaultText { text += " (default: \(defaultText))" }
        return text
    }

    /// Two columns: labels padded to the widest (at most 26), texts wrapped beside
    /// them; a longer label puts its text on the next line.
    static func table(_ rows: [(String, String)]) -> String {
        let labelWidth = min(26, rows.map(\.0.count).max() ?? 0)
        let indent = String(repeating: " ", count: 2 + labelWidth + 2)
        return rows.map { label, text in
            if label.count > labelWidth {
                return "  " + label + "\n" + wrap(text, prefix: indent)
            }
            let first = "  " + label + String(repeating: " ", count: labelWidth - label.count) + "  "
            return wrapWords(text.split(separator: " ").map(String.init), firstPrefix: first, prefix: indent)
        }.joined(separator: "\n")
    }

    static func wrap(_ text: String, prefix: String) -> String {
        wrapWords(text.split(separator: " ").map(String.init), firstPrefix: prefix, prefix: prefix)
    }

    /// Greedy word wrap at `width` columns; a word longer than a line gets a line.
    static func wrapWords(_ words: [String], firstPrefix: String, prefix: String) -> String {
        var lines: [String] = []
        var line = firstPrefix
        var lineHasWord = false
        for word in words {
            if lineHasWord && line.count + 1 + word.count > width {
                lines.append(line)
                line = prefix
                lineHasWord = false
            }
            line += (lineHasWord ? " " : "") + word
            lineHasWord = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
