import Foundation
import Testing
@testable import MFABatchCore

@Suite struct JSONLinesReaderTests {
    static let goodRows = [
        rawRow(1, line: 1, ("account", .string("acme")), ("user", .string("*")), ("totp_enabled", .bool(true))),
        rawRow(2, line: 4, ("account", .string("globex")), ("user", .string("Bob@Globex.COM")),
               ("passkey_enabled", .bool(false)), ("comment", .string("x"))),
        rawRow(3, line: 5, ("account", .string("acme")), ("user", .string("*")), ("totp_enabled", .bool(false))),
    ]

    @Test func readsFileWithBlankLinesFromDisk() throws {
        let reader = try openFixture("good.jsonl")
        #expect(reader.format == .jsonl)
        #expect(try readAllRows(reader) == Self.goodRows)
    }

    @Test(arguments: ManifestFixtures.chunkSizes)
    func readsFileInChunks(chunkSize: Int) throws {
        #expect(try readAllRows(try fixtureReader("good.jsonl", chunkSize: chunkSize)) == Self.goodRows)
    }

    @Test func ndjsonExtensionIsJSONLines() throws {
        let reader = try openFixture("good.ndjson")
        #expect(reader.format == .jsonl)
        #expect(try readAllRows(reader).count == 1)
    }

    @Test(arguments: [
        ("truncated-line.jsonl", "truncated-line.jsonl: line 2: the row is not complete at the end of its line "
            + "(JSON Lines: one complete object a line)"),
        ("two-per-line.jsonl",
         "two-per-line.jsonl: line 1: unexpected '{' after the row object (JSON Lines: one object a line)"),
        ("not-object.jsonl", "not-object.jsonl: line 2: expected a row object, got an array"),
        ("empty.jsonl", "empty.jsonl: empty file: expected one row object a line"),
    ])
    func fixtureIsRejected(name: String, expected: String) {
        for result in fixtureErrors(name) {
            #expect(result == expected)
        }
    }

    @Test func lastLineTruncatedAtEndOfFile() {
        let text = manifestErrorText {
            _ = try readAllRows(JSONLinesReader(bytes: Array("{\"a\": 1}\n{\"a\": ".utf8)))
        }
        #expect(text == "manifest.jsonl: line 2: truncated JSON: expected a value at the end of the file")
    }
}
