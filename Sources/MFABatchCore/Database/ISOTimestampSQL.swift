/// SQL that renders a `timestamptz` column as ISO 8601 UTC with milliseconds
/// (`2026-11-29T15:12:46.123Z`), so the tool never parses server date formats.
enum ISOTimestampSQL {
    static func render(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
