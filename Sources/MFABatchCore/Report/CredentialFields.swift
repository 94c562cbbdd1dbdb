/// Recognizes manifest fields that carry a credential, so that no rejects file ever
/// repeats one. Deliberately loose: besides `api_key` and `authorization` it matches
/// their case, blank and punctuation variants (`API-Key`, `x_api_key`, `Bearer`),
/// because a misspelt credential column is exactly the row that gets rejected (as an
/// unknown field) and copied into the rejects file.
enum CredentialFields {
    private static let normalizedNames: Set<String> = ["apikey", "xapikey", "authorization", "bearer"]

    static func isCredential(_ name: String) -> Bool {
        normalizedNames.contains(normalize(name))
    }

    /// Lower-cased letters and digits only.
    private static func normalize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }))
    }
}
