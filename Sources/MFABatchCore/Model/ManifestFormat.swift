/// The three manifest formats of PRODUCT.md section 2.
public enum ManifestFormat: String, Sendable, CaseIterable, Codable {
    case csv, json, jsonl

    /// From a file name: `.csv`, `.json`, `.jsonl` / `.ndjson`; nil otherwise.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { self = .jsonl }
        else if lower.hasSuffix(".json") { self = .json }
        else { return nil }
    }

    /// From `--format`: `csv`, `json`, `jsonl` (also `ndjson`).
    public init?(option: String) {
        switch option.lowercased() {
        case "csv": self = .csv
        case "json": self = .json
        case "jsonl", "ndjson": self = .jsonl
        default: return nil
        }
    }
}
