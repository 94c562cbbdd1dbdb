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
        for (index, name) in names.enumerated() {
            let canonical = trimBlanks(name).lowercased()
            if canonical.isEmpty {
                throw ManifestError(file: file, line: line, message: "column \(index + 1) of the header has no name")
            }
            guard allowed.contains(canonical) else {
                throw ManifestError(file: file, line: line, column: canonical, value: canonical,
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
