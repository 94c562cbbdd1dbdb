import Foundation
import Testing
@testable import MFABatchCore

@Suite struct JSONReaderTests {
    /// Expected rows of good.json (pretty-printed: `line` is the opening brace's line).
    static let goodRows = [
        rawRow(1, line: 2, ("account", .string("acme")), ("user", .string("alice@acme.com")),
               ("totp_enabled", .bool(true)), ("comment", .string("café \"quoted\"\n😀"))),
        rawRow(2, line: 8, ("account", .string("acme")), ("user", .string("*")), ("passkey_enabled", .bool(false)),
               ("extra", .array)),
        rawRow(3, line: 10, ("account", .number("42")), ("user", .null), ("totp_enabled", .string("true")),
               ("passkey_enabled", .number("-1.5e3"))),
    ]

    @Test func readsPrettyPrintedFileFromDisk() throws {
        let reader = try openFixture("good.json")
        #expect(reader.format == .json)
        #expect(reader.columns == nil)
        #expect(try readAllRows(reader) == Self.goodRows)
        #expect(try reader.next() == nil)
    }

    @Test(arguments: ManifestFixtures.chunkSizes)
    func readsPrettyPrintedFileInChunks(chunkSize: Int) throws {
        #expect(try readAllRows(try fixtureReader("good.json", chunkSize: chunkSize)) == Self.goodRows)
    }

    @Test(arguments: ManifestFixtures.chunkSizes)
    func readsChangesWrapperWithByteOrderMark(chunkSize: Int) throws {
        #expect(try readAllRows(try fixtureReader("changes.json", chunkSize: chunkSize)) == [
            rawRow(1, line: 1, ("account", .string("acme")), ("user", .string("*")), ("totp_enabled", .bool(true))),
        ])
    }

    @Test func emptyArrayIsAnEmptyManifest() throws {
        #expect(try readAllRows(try openFixture("empty-array.json")).isEmpty)
        #expect(try readAllRows(JSONReader(bytes: Array("{\"changes\":[]}".utf8))).isEmpty)
    }

    @Test func duplicateKeysReachTheValidatorAsTwoFields() throws {
        #expect(try readAllRows(try openFixture("duplicate-key.json")) == [
            rawRow(1, line: 1, ("account", .string("acme")), ("user", .string("*")), ("totp_enabled", .bool(true)),
                   ("totp_enabled", .bool(false))),
        ])
    }

    @Test(arguments: [
        ("other-top-key.json",
         "other-top-key.json: line 1: unexpected top-level key \"dry_run\": a manifest object must be {\"changes\": [ … ]}"),
        ("wrong-top-key.json",
         "wrong-top-key.json: line 1: unexpected top-level key \"rows\": a manifest object must be {\"changes\": [ … ]}"),
        ("truncated.json", "truncated.json: line 3: truncated JSON: expected ':' at the end of the file"),
        ("unclosed-array.json",
         "unclosed-array.json: line 3: truncated JSON: the array of rows is not closed at the end of the file"),
        ("scalar.json",
         "scalar.json: line 1: a JSON manifest must be an array of row objects or {\"changes\": [ … ]}, got a string"),
        ("array-row.json", "array-row.json: line 3: row 2: expected a row object, got an array"),
        ("empty.json", "empty.json: empty file: expected an array of row objects"),
        ("trailing-data.json", "trailing-data.json: line 2: unexpected '[' after the end of the manifest"),
        ("trailing-comma.json", "trailing-comma.json: line 1: row 2: expected a row object, got ']'"),
    ])
    func fixtureIsRejected(name: String, expected: String) {
        for result in fixtureErrors(name) {
            #expect(result == expected)
        }
    }

    @Test(arguments: [
        ("42", "line 1: a JSON manifest must be an array of row objects or {\"changes\": [ … ]}, got a number"),
        ("null", "line 1: a JSON manifest must be an array of row objects or {\"changes\": [ … ]}, got null"),
        ("{}", "line 1: empty object: a manifest object must be {\"changes\": [ … ]}"),
        ("{\"changes\": {}}", "line 1: \"changes\" must be an array of row objects"),
        ("{\"changes\": [], \"changes\": []}", "line 1: duplicate top-level key \"changes\""),
        ("{\"changes\": []", "line 1: truncated JSON: the top-level object is not closed at the end of the file"),
        ("[{\"a\": tru}]", "line 1: expected a JSON value, got '}'"),
        ("[{\"a\": 01}]", "line 1: expected ',', ']' or '}', got '1'"),
        ("[{\"a\": \"x\ny\"}]", "line 1: unterminated string (a line break inside a string must be written \\n)"),
        ("[{\"a\": \"x\u{0}\"}]", "line 1: NUL byte inside a string (control characters must be escaped)"),
        ("[{\"a\": 1}\u{0}]", "line 1: expected ',' or ']' after a row, got NUL byte"),
        ("[]\u{FEFF}", "line 1: unexpected byte 0xEF (a byte order mark?) after the end of the manifest"),
        ("[\n{\"a\": \"\\ud800\"}]", "line 2: invalid \\u escape (unpaired UTF-16 surrogate)"),
        ("[{\"a\": 1} {\"b\": 2}]", "line 1: expected ',' or ']' after a row, got '{'"),
        ("[{a: 1}]", "line 1: expected a field name in double quotes, got 'a'"),
        ("[{\"a\": \"\u{FEFF}\"}]", "line 1: byte order mark (U+FEFF) in the middle of the file"),
    ])
    func malformedJSONIsRejected(text: String, expected: String) {
        for size in [1, 3, ManifestLimits.chunkBytes] {
            let result = manifestErrorText { _ = try readAllRows(JSONReader(bytes: Array(text.utf8), chunkSize: size)) }
            #expect(result == "manifest.json: " + expected)
        }
    }

    @Test func invalidUTF8NamesTheLine() {
        let bytes = Array("[\n{\"account\": \"acme\"},\n{\"comment\": \"".utf8) + [0xC3, 0x28] + Array("\"}]".utf8)
        let text = manifestErrorText { _ = try readAllRows(JSONReader(bytes: bytes)) }
        #expect(text == "manifest.json: line 3: invalid UTF-8")
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = "[{\"a\": " + String(repeating: "[", count: 100_000) + "]}]"
        let result = manifestErrorText { _ = try readAllRows(JSONReader(bytes: Array(text.utf8))) }
        #expect(result == "manifest.json: line 1: nested more than 128 levels deep")
    }

    @Test func tenMegabyteStringHitsTheRowCap() {
        let bytes = Array("[{\"comment\": \"".utf8) + [UInt8](repeating: 0x61, count: 10 << 20) + Array("\"}]".utf8)
        let text = manifestErrorText { _ = try readAllRows(JSONReader(bytes: bytes)) }
        #expect(text == "manifest.json: line 1: row longer than 1048576 bytes (1 MiB), the limit for a single row")
    }

    @Test func rowOfOneAndAHalfMegabytesIsRefused() {
        let bytes = Array("[{\"comment\": \"".utf8) + [UInt8](repeating: 0x61, count: 3 << 19) + Array("\"}]".utf8)
        let text = manifestErrorText { _ = try readAllRows(JSONReader(bytes: bytes)) }
        #expect(text == "manifest.json: line 1: row longer than 1048576 bytes (1 MiB), the limit for a single row")
    }

    @Test func hugeWhitespaceBetweenRowsIsNotBuffered() throws {
        let bytes = Array("[".utf8) + [UInt8](repeating: 0x0A, count: 3 << 20) + Array("{\"user\": \"*\"}]".utf8)
        #expect(try readAllRows(JSONReader(bytes: bytes)) == [rawRow(1, line: (3 << 20) + 1, ("user", .string("*")))])
    }
}
