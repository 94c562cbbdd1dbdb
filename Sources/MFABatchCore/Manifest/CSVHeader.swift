/// Checks a CSV header and gives its canonical column names.
///
/// Names are matched case-insensitively with surrounding spaces and tabs ignored;
/// the canonical form (trimmed, lower-case) is what rows carry as field names. Any
/// problem rejects the whole manifest, naming the column and, for a near miss, the
/// column it probably meant.
enum CSVHeader {
    static func canonicalColumns(_ names: [String], schema: SettingsSchema, file: String,
                                 line: Int) throws(ManifestError) -> [String] {
        let allowed = schema.allowedFields
        var columns: [String] = []
        if let dataLike = names.first(where: { !allowed.contains(trimBlanks($0).lowercased()) && looksLikeData($0) }) {
            // A file without its header: its first row would be echoed as column
            // names, and a cell there may be a key. Nothing of it is shown.
            throw ManifestError(file: file, line: line,
                                message: "the first line is not a header: it holds "
                                    + (CredentialFields.containsCredential(dataLike) ? "what looks like a credential"
                                        : "values (an id, an email, true/false or *)")
                                    + ", not column names; a CSV manifest starts with a header row such as "
                                    + allowed.prefix(3).joined(separator: ","))
        }
        for (index, name) in names.enumerated() {
            let canonical = trimBlanks(name).lowercased()
            if canonical.isEmpty {
                throw ManifestError(file: file, line: line, message: "column \(index + 1) of the header has no name")
            }
            guard allowed.contains(canonical) else {
                let shown = EchoedText.escapingInvisibles(EchoedText.bounded(canonical, to: 100))
                throw ManifestError(file: file, line: line, column: shown, value: shown,
                                    message: "unknown column\(NearMiss.hint(for: canonical, among: allowed))"
                                        + "; allowed: \(allowed.joined(separator: ", "))")
            }
            if columns.contains(canonical) {
                throw ManifestError(file: file, line: line, column: canonical, value: canonical,
                                    message: "duplicated column")
            }
            columns.append(canonical)
        }
        for required in ["account", "user"] where !columns.contains(required) {
            throw ManifestError(file: file, line: line, column: required, message: "missing required column")
        }
        if !columns.contains(where: { schema.settings.contains($0) }) {
            throw ManifestError(file: file, line: line,
                                message: "no setting column: expected at least one of "
                                    + schema.settings.joined(separator: ", "))
        }
        return columns
    }

    /// A header cell that is a value rather than a name: a credential, an id, an
    /// email, a boolean or `*`.
    private static func looksLikeData(_ name: String) -> Bool {
        if CredentialFields.containsCredential(name) { return true }
        let trimmed = trimBlanks(name)
        if trimmed == "*" || ["true", "false"].contains(trimmed.lowercased()) { return true }
        return FieldSyntax.legibleUser(trimmed) != nil
    }

    /// Removes surrounding spaces and tabs (not other whitespace: a CR or NBSP in a
    /// name is a real mistake worth reporting).
    static func trimBlanks(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            let (offset, count) = FieldSyntax.trimmedBlanks(bytes)
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<offset + count]), as: UTF8.self)
        }
    }
}
