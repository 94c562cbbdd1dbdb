import Foundation

/// The `--credentials` file: per-account fallback credentials,
///
/// ```json
/// {"acme": {"api_key": "mfab_…"}, "7c0e…-…": {"bearer": "eyJ…"}}
/// ```
///
/// keyed by slug or account id. Loading checks the whole file up front so a typo
/// fails the run at once (exit 2) instead of turning into 401s row by row. Errors
/// name the file and the entry, never a secret.
public struct CredentialsFile: Sendable {
    /// Entries by account as written (slug, or lower-case id).
    public private(set) var entries: [String: Credential]

    public init(entries: [String: Credential]) {
        var normalized: [String: Credential] = [:]
        for (account, credential) in entries { normalized[Self.normalize(account)] = credential }
        self.entries = normalized
    }

    /// The entry for `account`: by the reference as the row wrote it, then by the
    /// stored account's slug and id (a file keyed by slug serves rows that name the id).
    public func credential(for ref: AccountRef, account: StoredAccount?) -> Credential? {
        // `description` is the normalized form the entries are keyed by.
        if let found = entries[ref.description] { return found }
        guard let account else { return nil }
        return entries[account.slug] ?? entries[account.id.uuidString.lowercased()]
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(CredentialsFileError) -> CredentialsFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CredentialsFileError(path: path, entry: nil, problem: "cannot be read")
        }
        return try parse(data, path: path)
    }

    /// A warning when the file at `path` may be read or changed by anyone but its
    /// owner (any group or other permission bit): it holds keys and tokens of every
    /// tenant it names. Nil when it is private (or cannot be looked at; `load` says so).
    public static func permissionWarning(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 != 0 else { return nil }
        let who = [mode & 0o044 != 0 ? "read" : nil, mode & 0o022 != 0 ? "written" : nil].compactMap { $0 }
        return "the --credentials file \(path) can be \(who.joined(separator: " and ")) by other users (mode "
            + String(format: "%04o", mode) + "); make it private: chmod 600 \(path)"
    }

    /// Checks `data` as the contents of the file `path` (named in errors).
    public static func parse(_ data: Data, path: String) throws(CredentialsFileError) -> CredentialsFile {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CredentialsFileError(path: path, entry: nil,
                                       problem: "is not a JSON object of the form {\"ACCOUNT\": {\"api_key\": \"…\"}}")
        }
        var entries: [String: Credential] = [:]
        for account in object.keys.sorted() {
            guard FieldSyntax.accountRef(account) != nil else {
                // Shortened: a mistyped file could have a secret where an account belongs.
                let shown = escapingNUL(account.count > 12 ? String(account.prefix(8)) + "…" : account)
                throw CredentialsFileError(path: path, entry: shown,
                                           problem: "is not an account id (UUID) or slug")
            }
            guard let fields = object[account] as? [String: Any] else {
                throw CredentialsFileError(path: path, entry: account,
                                           problem: "must be an object with \"api_key\" or \"bearer\"")
            }
            let unknown = fields.keys.filter { $0 != "api_key" && $0 != "bearer" }.sorted()
            if let first = unknown.first {
                throw CredentialsFileError(path: path, entry: account,
                                           problem: "has unknown field \"\(escapingNUL(first))\" "
                                               + "(expected \"api_key\" or \"bearer\")")
            }
            // A NUL (`\u0000`) can be in no key or token: said now, not as a 401 a row.
            for field in ["api_key", "bearer"] {
                if let value = fields[field] as? String, value.utf8.contains(0) {
                    throw CredentialsFileError(path: path, entry: account, problem: "\"\(field)\" contains a NUL character")
                }
            }
            let credential: Credential
            switch (fields["api_key"], fields["bearer"]) {
            case (let key?, nil):
                guard let key = key as? String, !key.isEmpty else {
                    throw CredentialsFileError(path: path, entry: account, problem: "\"api_key\" must be a non-empty string")
                }
                credential = .apiKey(key)
            case (nil, let bearer?):
                guard let bearer = bearer as? String, let token = stripBearer(bearer), !token.isEmpty else {
                    throw CredentialsFileError(path: path, entry: account, problem: "\"bearer\" must be a non-empty string")
                }
                credential = .bearer(token)
            case (nil, nil):
                throw CredentialsFileError(path: path, entry: account, problem: "has neither \"api_key\" nor \"bearer\"")
            default:
                throw CredentialsFileError(path: path, entry: account, problem: "has both \"api_key\" and \"bearer\"; give one")
            }
            let key = normalize(account)
            if entries[key] != nil {
                throw CredentialsFileError(path: path, entry: account, problem: "is given twice")
            }
            entries[key] = credential
        }
        return CredentialsFile(entries: entries)
    }

    /// The token of a `bearer` value, which may be written with or without the
    /// `Bearer ` scheme (as an `Authorization` header would carry it).
    private static func stripBearer(_ value: String) -> String? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let scheme = trimmed.prefix(7).lowercased()
        if scheme == "bearer" || scheme == "bearer " {
            return String(trimmed.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces)
        }
        return trimmed
    }

    /// `text` with each NUL spelt `\u0000`, as the file wrote it (for messages).
    private static func escapingNUL(_ text: String) -> String {
        text.replacingOccurrences(of: "\u{0}", with: "\\u0000")
    }

    /// Ids compare case-insensitively (keyed lower-case, as `AccountRef.description`
    /// writes them); slugs are lower-case by definition.
    private static func normalize(_ account: String) -> String {
        FieldSyntax.accountRef(account)?.description ?? account
    }
}
