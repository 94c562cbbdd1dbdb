import Foundation
import Testing
@testable import MFABatchCore

/// Awkward text → `CSVEncoding` → `CSVReader` gives back exactly the same cells.
@Suite struct CSVRoundTripTests {
    static let awkward = [
        "plain", "", " ", "with, comma", "with \"quotes\"", "\"", "\"\"", "line\nbreak", "cr\ronly", "crlf\r\nend",
        "\n", "  leading and trailing  ", "\ttab", "unicode: café, 日本語, 😀, Ω", "trailing comma,", ",",
        "ends with quote\"", "multi\n\nblank\n\nlines", "a,\"b\",\nc",
    ]

    /// Deterministic rows mixing the awkward texts in every column.
    static func rows() -> [[String]] {
        var rows: [[String]] = []
        for (i, text) in awkward.enumerated() {
            for (j, other) in awkward.enumerated() where (i + j) % 3 == 0 {
                rows.append([text, other, j % 2 == 0 ? "true" : "", text + other])
            }
        }
        return rows
    }

    @Test(arguments: ["\r\n", "\n"], [1, 5, ManifestLimits.chunkBytes])
    func roundTrip(lineEnding: String, chunkSize: Int) throws {
        let header = ["account", "user", "totp_enabled", "comment"]
        let rows = Self.rows()
        var text = CSVEncoding.record(header, lineEnding: lineEnding)
        var expected: [RawRow] = []
        var line = 2
        for (index, cells) in rows.enumerated() {
            expected.append(RawRow(row: index + 1, line: line,
                                   fields: zip(header, cells).map { RawField(name: $0, value: .string($1)) }))
            let record = CSVEncoding.record(cells, lineEnding: lineEnding)
            text += record
            line += record.utf8.filter { $0 == 0x0A }.count
        }
        let reader = try CSVReader(bytes: Array(text.utf8), chunkSize: chunkSize)
        let read = try readAllRows(reader)
        #expect(read.count == rows.count)
        #expect(read == expected)
    }

    @Test func encodingQuotesOnlyWhenNeeded() {
        #expect(CSVEncoding.record(["acme", "say \"hi\", bye", "", " x"]) == "acme,\"say \"\"hi\"\", bye\",,\" x\"\r\n")
        #expect(CSVEncoding.field("a\nb") == "\"a\nb\"")
        #expect(CSVEncoding.field("café") == "café")
    }
}
