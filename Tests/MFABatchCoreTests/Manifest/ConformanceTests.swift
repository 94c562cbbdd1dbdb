import Foundation
import Testing
@testable import MFABatchCore

/// Issue 12, item 11: what the readers say must name the real problem.
@Suite struct ConformanceTests {
    /// An escaped `\uFEFF` is a character of the string, not a byte order mark of
    /// the file; a raw EF BB BF inside a string (also after an escape) still is one.
    @Test func anEscapedByteOrderMarkIsJustACharacter() throws {
        for size in [1, 3, ManifestLimits.chunkBytes] {
            let rows = try readAllRows(JSONReader(bytes: Array(#"[{"comment": "a\uFEFFb", "user": "\ufeff"}]"#.utf8),
                                                  chunkSize: size))
            #expect(rows == [rawRow(1, line: 1, ("comment", .string("a\u{FEFF}b")), ("user", .string("\u{FEFF}")))])
            let lines = try readAllRows(JSONLinesReader(bytes: Array(#"{"comment": "\uFEFF"}"#.utf8 + [0x0A]), chunkSize: size))
            #expect(lines.count == 1)
            for raw in ["[{\"a\": \"\\n\u{FEFF}\"}]", "[{\"a\": \"\u{FEFF}\\n\"}]"] {
                let text = manifestErrorText { _ = try readAllRows(JSONReader(bytes: Array(raw.utf8), chunkSize: size)) }
                #expect(text == "manifest.json: line 1: byte order mark (U+FEFF) in the middle of the file", "\(raw)")
            }
        }
    }

    /// A file with classic Mac line endings (CR alone) read as one long line and was
    /// refused as "unknown column commentacme".
    @Test func bareCRLineEndingsAreNamed() {
        for size in [1, 3, ManifestLimits.chunkBytes] {
            for text in ["account,user,totp_enabled,comment\racme,*,true,x\r", "account,user,totp_enabled\nacme,*,true\racme,*,false\n",
                         "account,user,totp_enabled\n\"acme\",*,true\r\"acme\",*,false\n"] {
                let error = manifestErrorText {
                    _ = try readAllRows(try CSVReader(bytes: Array(text.utf8), fileName: "mac.csv", chunkSize: size))
                }
                #expect(error?.contains("without a line feed") == true, "\(error ?? "no error")")
                #expect(error?.contains("bare CR line endings") == true)
                #expect(error?.contains("unknown column") == false)
            }
        }
    }

    /// A quoted CR stays data; CRLF and a final CR stay line ends.
    @Test func quotedCRAndCRLFStillRead() throws {
        let rows = try readAllRows(try CSVReader(bytes: Array("account,user,totp_enabled,comment\r\nacme,*,true,\"a\rb\"\r".utf8),
                                                 fileName: "ok.csv"))
        #expect(rows.count == 1)
        #expect(rows.first?.value("comment") == .string("a\rb"))
    }
}
