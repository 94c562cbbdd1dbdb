/// "Did you mean …?" for misspelled column and field names (`totp_enable` →
/// `totp_enabled`), by edit distance; the command line uses it for commands and
/// options too (`--dry-rn` → `--dry-run`).
public enum NearMiss {
    /// The closest candidate within a small edit distance, or one the name is a
    /// clear prefix of (`totp` → `totp_enabled`); nil when nothing is close.
    public static func suggestion(for name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered.utf8), Array(candidate.utf8))
            if distance <= 2 && distance < lowered.utf8.count, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        if lowered.utf8.count >= 4 { return candidates.first { $0.hasPrefix(lowered) } }
        return nil
    }

    /// Levenshtein distance (insert, delete, substitute), two rows of memory.
    /// Inputs are names, so quadratic time is fine; very long inputs are cut off.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let a = a.prefix(64), b = Array(b.prefix(64))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for (i, x) in a.enumerated() {
            current[0] = i + 1
            for j in 0..<b.count {
                let substitution = previous[j] + (x == b[j] ? 0 : 1)
                current[j + 1] = min(substitution, previous[j + 1] + 1, current[j] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// " (did you mean x?)" or "".
    static func hint(for name: String, among candidates: [String]) -> String {
        suggestion(for: name, among: candidates).map { " (did you mean \($0)?)" } ?? ""
    }
}
