import Foundation

/// `mfa-batch validate`: every row through the schema check, no database.
/// Streams: one row in memory at a time.
public enum OfflineValidation {
    /// Reads `input`, writes one outcome per row (`valid` / `invalid`) to `outputs`.
    public static func run(input: ManifestInput, reader: any ManifestReader, schema: SettingsSchema,
                           outputs: RunOutputs, run: RunInfo) throws -> RunInfo {
        let validator = RowValidator(schema: schema, format: reader.format)
        let perRow = outputs.wantsSuccessfulRows
        try outputs.begin(run: run)
        while let raw = try reader.next() {
            if !perRow {
                // Counting only: the verdict, without making text of a valid row.
                guard let diagnostic = validator.diagnose(raw) else {
                    outputs.countSuccess(.valid)
                    continue
                }
                try outputs.write(RowOutcome(diagnostic, raw: raw), raw: outputs.wantsRawRows ? raw : nil)
                continue
            }
            let outcome: RowOutcome
            switch validator.check(raw) {
            case .success(let row):
                outcome = RowOutcome(row: row.row, line: row.line, account: raw.text("account"), user: raw.text("user"),
                                     status: .valid, comment: row.comment)
            case .failure(let diagnostic):
                outcome = RowOutcome(diagnostic, raw: raw)
            }
            try outputs.write(outcome, raw: outputs.wantsRawRows ? raw : nil)
        }
        var finished = run
        finished.finishedAt = Date()
        try outputs.finish(run: finished, tenants: [])
        return finished
    }
}

extension RawRow {
    /// A field as the report's `account` / `user` / `comment` columns show it and
    /// `run_outcomes` stores it: the text as written (other JSON values as JSON
    /// writes them), "" when absent, through `EchoedText.shown` (a value that looks
    /// like a credential is redacted, whatever its field; at most 200 characters).
    /// A NUL (a JSON `\u0000`) is shown as U+FFFD: such a row is invalid, and its
    /// text still goes to the report and to `run_outcomes`, where PostgreSQL cannot
    /// store a NUL.
    public func text(_ name: String) -> String {
        switch value(name) {
        case .string(let text)?: return EchoedText.shown(text.replacingNUL)
        case .bool(let value)?: return value ? "true" : "false"
        case .number(let text)?: return EchoedText.bounded(text)
        case .null?: return "null"
        case .array?: return "[…]"
        case .object?: return "{…}"
        case nil: return ""
        }
    }

    /// The comment, when the row has a non-empty textual one (an empty CSV cell is "not set"),
    /// as `text(_:)` shows it.
    public var commentText: String? {
        if case .string(let text)? = value("comment"), !text.isEmpty { return EchoedText.shown(text.replacingNUL) }
        return nil
    }
}

extension String {
    /// The text with each NUL (U+0000) replaced by U+FFFD, the replacement character;
    /// the text itself when it has none (the usual case, and no copy).
    var replacingNUL: String {
        guard utf8.contains(0) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 }))
    }
}

extension RowOutcome {
    /// The `invalid` outcome of a row that failed the schema check.
    public init(_ diagnostic: RowDiagnostic, raw: RawRow) {
        self.init(row: diagnostic.row, line: diagnostic.line, account: raw.text("account"), user: raw.text("user"),
                  status: .invalid, error: diagnostic.message, comment: raw.commentText, reason: diagnostic.reason)
    }
}
