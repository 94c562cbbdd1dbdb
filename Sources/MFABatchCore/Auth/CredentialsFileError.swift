/// A `--credentials` file that cannot be used: names the file and, when it is one
/// entry's fault, that entry (an account slug or id), but never a credential.
public struct CredentialsFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// The account key of the offending entry, nil when the whole file is at fault.
    public var entry: String?
    public var problem: String

    public init(path: String, entry: String?, problem: String) {
        self.path = path
        self.entry = entry
        self.problem = problem
    }

    public var description: String {
        if let entry { return "credentials file \(path): entry \"\(entry)\" \(problem)" }
        return "credentials file \(path) \(problem)"
    }
}
