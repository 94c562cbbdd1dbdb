import MFABatchCore

/// "did you mean …?" for a misspelled command or option, by edit distance (the
/// same `NearMiss` that suggests manifest column names).
enum Suggestion {
    /// ` (did you mean --dry-run?)`, or "" when nothing is close.
    static func hint(for name: String, among candidates: [String], spelled: (String) -> String = { $0 }) -> String {
        guard let nearest = NearMiss.suggestion(for: name, among: candidates) else { return "" }
        return " (did you mean \(spelled(nearest))?)"
    }
}
