import Foundation

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

    /// A value that looks like a credential wherever it stands (an unknown JSON field
    /// such as `token`): an mfa-batch API key, a bearer header, or a JWT.
    static func looksLikeCredential(_ value: String) -> Bool {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix(APIKeyFormat.marker) { return true }
        if trimmed.lowercased().hasPrefix("bearer ") { return true }
        let segments = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        return segments.count == 3 && segments[0].hasPrefix("eyJ")
    }

    /// Lower-cased letters and digits only.
    private static func normalize(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }))
    }
}
