/// Minimal JSON rendering for small outputs (`keys list --json`, `runs --json`, the
/// `tenants` kept with a run). Reports have their own streaming byte writers.
public enum JSONText {
    /// A JSON string literal, escaped as the report writers escape (one encoder).
    public static func string(_ value: String) -> String {
        var buffer = OutputBuffer(reserving: value.utf8.count + 2)
        buffer.appendJSONString(value)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
