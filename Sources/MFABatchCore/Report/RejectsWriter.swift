import Foundation

/// `--rejects PATH`: the rows that did not succeed, as a manifest in the input's
/// format, so an operator can fix it and run it again (pgloader's reject file).
///
/// Each row is the original `RawRow` with every credential field dropped (see
/// `CredentialFields`) and `comment` set to why it failed: the outcome's `error`,
/// else its `reason`, else its status (`not_applied` rows usually have no error of
/// their own; they are included because re-running them is the point).
///
/// - CSV: a header (the input's columns minus credentials, plus `comment` if absent),
///   then one line a row, cells matched to columns as the reader matches headers
///   (case-insensitively, blanks ignored).
/// - JSON: an array, one row object a line; JSON Lines: one object a line. Values keep
///   their JSON type; an existing `comment` key keeps its place.
///
/// Created mode 0600 under a temporary name and renamed into place by `finish()`;
/// streaming, so memory does not grow with the number of rows. A file is written even
/// when no row failed (a header, `[]`, or empty), so scripts can rely on it existing.
public final class RejectsWriter {
    public var format: ManifestFormat { file.format }
    /// The CSV columns written (empty for JSON formats).
    public let columns: [String]
    /// Rows written so far.
    public var rowCount: Int { file.rowCount }

    private let columnKeys: [String]
    private let commentColumn: Int
    private let file: ManifestFileOutput

    /// - Parameter columns: the input's CSV header as read (ignored for JSON formats).
    public init(output: ReportOutput, format: ManifestFormat, columns: [String] = []) throws {
        if format == .csv {
            var kept = columns.filter { !CredentialFields.isCredential($0) }
            if !kept.contains(where: { Self.headerKey($0) == "comment" }) { kept.append("comment") }
            self.columns = kept
        } else {
            self.columns = []
        }
        columnKeys = self.columns.map(Self.headerKey)
        commentColumn = columnKeys.firstIndex(of: "comment") ?? -1
        file = try ManifestFileOutput(output: output, format: format, csvHeader: self.columns, label: "rejects")
    }

    /// `-` is standard output.
    public convenience init(path: String, format: ManifestFormat, columns: [String] = []) throws {
        try self.init(output: ReportOutput(argument: path), format: format, columns: columns)
    }

    /// Writes `row` if its outcome is not a success; returns whether it did.
    @discardableResult
    public func write(_ row: RawRow, outcome: RowOutcome) throws -> Bool {
        guard !outcome.status.isSuccess else { return false }
        try write(row, reason: outcome.error ?? outcome.reason ?? outcome.status.rawValue)
        return true
    }

    /// Writes `row` with `reason` as its comment.
    public func write(_ row: RawRow, reason: String) throws {
        try file.beginRow()
        switch format {
        case .csv: appendCSV(row, reason: reason)
        case .json, .jsonl: appendJSONObject(row, reason: reason)
        }
        try file.endRow()
    }

    /// Completes the file and moves it into place.
    public func finish() throws { try file.finish() }

    /// Abandons the file; an existing file at the destination is left as it was.
    public func discard() { file.discard() }

    /// A field whose value looks like a key or token, whatever its name (a key pasted
    /// into `user`, a token under an unknown name): left out of the rejects.
    private static func holdsCredential(_ field: RawField) -> Bool {
        guard case .string(let text) = field.value, field.name != "comment" else { return false }
        return CredentialFields.looksLikeCredential(text)
    }

    private func appendCSV(_ row: RawRow, reason: String) {
        let fieldKeys = row.fields.map { Self.headerKey($0.name) }
        for (index, key) in columnKeys.enumerated() {
            if index > 0 { file.buffer.append(byte: UInt8(ascii: ",")) }
            if index == commentColumn {
                file.buffer.appendCSVTextCell(reason)
            } else if let position = fieldKeys.firstIndex(of: key), !Self.holdsCredential(row.fields[position]) {
                let text = Self.csvText(row.fields[position].value)
                if let text, Self.isRealValue(text, column: key) {
                    file.buffer.appendCSVField(text)
                } else {
                    file.buffer.appendCSVTextCell(text)
                }
            }
        }
        file.buffer.append(byte: UInt8(ascii: "\n"))
    }

    private func appendJSONObject(_ row: RawRow, reason: String) {
        file.buffer.append(byte: UInt8(ascii: "{"))
        var first = true
        var wroteComment = false
        for field in row.fields where !CredentialFields.isCredential(field.name) && !Self.holdsCredential(field) {
            let isComment = field.name == "comment"
            if isComment && wroteComment { continue }
            file.buffer.append(first ? "" : ", ")
            first = false
            file.buffer.appendJSONString(field.name)
            file.buffer.append(": ")
            if isComment {
                file.buffer.appendJSONString(reason)
                wroteComment = true
            } else {
                file.buffer.appendJSONValue(field.value)
            }
        }
        if !wroteComment {
            file.buffer.append(first ? "\"comment\": " : ", \"comment\": ")
            file.buffer.appendJSONString(reason)
        }
        file.buffer.append(byte: UInt8(ascii: "}"))
    }

    /// A value that must come back exactly when the rejects are run again, and that
    /// cannot be a formula: an account id or slug, a user id, email or `*`, a
    /// boolean. (An email may start with `-` or `+`, but holds no blank, quote or
    /// parenthesis, so it cannot call anything.) Every other cell — an invalid
    /// value, the comment — gets the formula guard.
    private static func isRealValue(_ text: String, column: String) -> Bool {
        switch column {
        case "account": return FieldSyntax.legibleAccount(text) != nil
        case "user": return text.trimmingCharacters(in: .whitespaces) == "*" || FieldSyntax.legibleUser(text) != nil
        case "comment": return false
        default: return ["true", "false", ""].contains(text.trimmingCharacters(in: .whitespaces).lowercased())
        }
    }

    /// CSV cells are strings; other kinds only appear if a JSON row is rejected into
    /// a CSV file, and are spelled as a CSV reader would take them.
    private static func csvText(_ value: RawValue) -> String? {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// How the manifest reader matches CSV headers (PRODUCT.md section 2).
    static func headerKey(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
