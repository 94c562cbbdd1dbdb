import Foundation
import Testing
@testable import MFABatchCore

/// Every bad input is one clear `ManifestError` (never a crash or hang), the same
/// whatever the chunking. Expected texts are written by hand.
@Suite struct CSVReaderBadInputTests {
    static let allowed = "allowed: account, user, totp_enabled, passkey_enabled, api_key, authorization, comment"

    @Test(arguments: [
        ("empty.csv", "empty.csv: empty file: expected a header line"),
        ("unknown-column.csv",
         "unknown-column.csv: line 1: column \"totp_enable\": unknown column (did you mean totp_enabled?); \(allowed)"),
        ("duplicate-column.csv", "duplicate-column.csv: line 1: column \"user\": duplicated column"),
        ("missing-user.csv", "missing-user.csv: line 1: column \"user\": missing required column"),
        ("no-setting-column.csv",
         "no-setting-column.csv: line 1: no setting column: expected at least one of totp_enabled, passkey_enabled"),
        ("unterminated-quote.csv", "unterminated-quote.csv: line 3: unterminated quoted field"),
        ("invalid-utf8.csv", "invalid-utf8.csv: line 4: invalid UTF-8 (the manifest must be UTF-8 encoded)"),
        ("nul-byte.csv", "nul-byte.csv: line 3: NUL byte (is this a binary or UTF-16 file?)"),
        ("bom-middle.csv",
         "bom-middle.csv: line 3: byte order mark (U+FEFF) in the middle of the file (files joined with cat?)"),
        ("wrong-cell-count.csv", "wrong-cell-count.csv: line 3: row 2 has 5 cells, the header has 4 (an unquoted comma?)"),
        ("quote-in-unquoted.csv",
         "quote-in-unquoted.csv: line 2: quote inside an unquoted field (quote the whole field and double the quote)"),
    ])
    func fixtureIsRejected(name: String, expected: String) {
        for result in fixtureErrors(name) {
            #expect(result == expected)
        }
    }

    @Test func rowsBeforeTheProblemAreStillReturned() throws {
        let reader = try openFixture("unterminated-quote.csv")
        let first = try reader.next()
        #expect(first?.row == 1 && first?.line == 2)
        #expect(manifestErrorText { _ = try reader.next() } == "unterminated-quote.csv: line 3: unterminated quoted field")
    }

    @Test func tenMegabyteQuotedFieldHitsTheRowCap() {
        var bytes = Array("account,user,totp_enabled,comment\nacme,*,true,\"".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20)
        bytes += Array("\"\n".utf8)
        let text = manifestErrorText { _ = try readAllRows(try CSVReader(bytes: bytes, fileName: "big.csv")) }
        #expect(text == "big.csv: line 2: row longer than 1048576 bytes (1 MiB), the limit for a single row; "
            + "is a quote left open?")
    }

    /// Between 1 and 2 MiB a row fits the grown window; it is refused all the same.
    @Test(arguments: [ManifestLimits.maxRowBytes + 10, ManifestLimits.maxRowBytes * 3 / 2])
    func rowJustOverTheCapIsRefused(length: Int) {
        var bytes = Array("account,user,totp_enabled,comment\nacme,*,true,".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "y"), count: length)
        bytes += Array("\nacme,*,true,\n".utf8)
        let text = manifestErrorText { _ = try readAllRows(try CSVReader(bytes: bytes, fileName: "big.csv")) }
        #expect(text == "big.csv: line 2: row longer than 1048576 bytes (1 MiB), the limit for a single row; "
            + "is a quote left open?")
    }

    @Test func tenMegabyteUnquotedHeaderHitsTheRowCap() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        let text = manifestErrorText { _ = try CSVReader(bytes: bytes, fileName: "big.csv") }
        #expect(text == "big.csv: line 1: row longer than 1048576 bytes (1 MiB), the limit for a single row; "
            + "is a quote left open?")
    }

    @Test func rowJustUnderTheCapIsRead() throws {
        var bytes = Array("account,user,totp_enabled,comment\nacme,*,true,".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "y"), count: (1 << 20) - 100)
        let rows = try readAllRows(try CSVReader(bytes: bytes))
        #expect(rows.count == 1)
        #expect(rows.first?.value("comment") == .string(String(repeating: "y", count: (1 << 20) - 100)))
    }

    @Test func textAfterClosingQuote() {
        let text = manifestErrorText {
            _ = try readAllRows(try CSVReader(bytes: Array("account,user,totp_enabled\n\"acme\"x,*,true\n".utf8)))
        }
        #expect(text == "manifest.csv: line 2: unexpected 'x' after a closing quote (a quote inside a quoted field must be doubled)")
    }

    @Test func emptyHeaderName() {
        let text = manifestErrorText { _ = try CSVReader(bytes: Array("account,user,totp_enabled,\n".utf8)) }
        #expect(text == "manifest.csv: line 1: column 4 of the header has no name")
    }

    @Test func blankLinesOnlyIsEmpty() {
        let text = manifestErrorText { _ = try CSVReader(bytes: Array("\n\r\n\n".utf8)) }
        #expect(text == "manifest.csv: empty file: expected a header line")
    }

    @Test func utf16FileIsRejected() {
        // "account" in UTF-16LE with its byte order mark: a NUL byte early on.
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("account".utf8).flatMap { [$0, 0] }
        let text = manifestErrorText { _ = try CSVReader(bytes: bytes) }
        #expect(text == "manifest.csv: line 1: NUL byte (is this a binary or UTF-16 file?)")
    }
}
