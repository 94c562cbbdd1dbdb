import Foundation
import Testing
@testable import MFABatchCore

@Suite struct OrderedJSONTests {
    func parse(_ text: String) throws -> OrderedJSON {
        try OrderedJSON.parse(Data(text.utf8))
    }

    @Test func keepsKeyOrderAndDuplicates() throws {
        let value = try parse(#"{"z": 1, "a": [true, false, null], "m": {"k": "v"}, "z": -0.5E+2}"#)
        #expect(value == .object([
            .init(key: "z", value: .number("1")),
            .init(key: "a", value: .array([.bool(true), .bool(false), .null])),
            .init(key: "m", value: .object([.init(key: "k", value: .string("v"))])),
            .init(key: "z", value: .number("-0.5E+2")),
        ]))
        #expect(value["z"] == .number("1"))
    }

    @Test func unescapesStrings() throws {
        let value = try parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "é€😀"]"#)
        #expect(value == .array([.string("a\"b\\c/d\u{8}\u{C}\n\r\t"), .string("é€"), .string("😀"), .string("é€😀")]))
    }

    @Test func allowsLeadingByteOrderMark() throws {
        #expect(try OrderedJSON.parse(Data([0xEF, 0xBB, 0xBF] + Array("[]".utf8))) == .array([]))
    }

    @Test(arguments: [
        ("", JSONByteScanner.Failure.syntax(line: 1, message: "empty document")),
        ("[1,]", .syntax(line: 1, message: "expected a JSON value, got ']'")),
        ("{\"a\" 1}", .syntax(line: 1, message: "expected ':', got '1'")),
        ("[01]", .syntax(line: 1, message: "expected ',', ']' or '}', got '1'")),
        ("[1.]", .syntax(line: 1, message: "malformed number")),
        ("[-]", .syntax(line: 1, message: "malformed number")),
        ("[nul]", .syntax(line: 1, message: "expected a JSON value, got ']'")),
        ("\n\n[\"\\x\"]", .syntax(line: 3, message: "invalid escape \\'x'")),
        ("[\"\\udc00\"]", .syntax(line: 1, message: "invalid \\u escape (unpaired UTF-16 surrogate)")),
        ("[\"\\u12G4\"]", .syntax(line: 1, message: "invalid \\u escape")),
        ("[] []", .syntax(line: 1, message: "expected the end of the document, got '['")),
        ("[\"abc", .syntax(line: 1, message: "truncated JSON: unterminated string at the end of the file")),
    ])
    func rejectsMalformedJSON(text: String, expected: JSONByteScanner.Failure) {
        #expect(throws: expected) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONByteScanner.Failure.syntax(line: 1, message: "invalid UTF-8")) {
            try OrderedJSON.parse(Data([0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]))
        }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONByteScanner.Failure.syntax(line: 1, message: "nested more than 128 levels deep")) {
            try parse(text)
        }
    }
}
