import Foundation
import Testing
@testable import MFABatchCore

@Suite("ReportOutputBufferTests")
struct ReportOutputBufferTests {
    private func text(_ build: (inout OutputBuffer) -> Void) -> String {
        var buffer = OutputBuffer()
        build(&buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    @Test(arguments: [
        (1_795_965_166.123, "2026-11-29T15:12:46.123Z"),
        (0.0, "1970-01-01T00:00:00.000Z"),
        (-0.001, "1969-12-31T23:59:59.999Z"),
        (-1.0, "1969-12-31T23:59:59.000Z"),
        (951_782_400.0, "2000-02-29T00:00:00.000Z"),
        (951_868_799.9994, "2000-02-29T23:59:59.999Z"), (951_868_799.9996, "2000-03-01T00:00:00.000Z"),
        (1_795_965_241.007, "2026-11-29T15:14:01.007Z"),
    ])
    func iso8601WithMilliseconds(seconds: Double, expected: String) {
        #expect(text { $0.appendISO8601(Date(timeIntervalSince1970: seconds)) } == expected)
    }

    @Test(arguments: [0, 7, 10, -5, 1_000_000, Int.max, Int.min])
    func integers(value: Int) {
        #expect(text { $0.append(value) } == String(value))
    }

    @Test func zeroPadding() {
        #expect(text { $0.append(7, width: 3) } == "007")
        #expect(text { $0.append(1234, width: 2) } == "1234")
    }

    @Test func everyControlCharacterIsEscapedAndRoundTrips() throws {
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
            + "\"\\/ü🚀\u{7F}\u{2028}"
        let json = text { $0.appendJSONString(all) }
        #expect(!json.utf8.dropFirst().dropLast().contains { $0 < 0x20 })
        #expect(json.hasPrefix("\"\\u0000\\u0001"))
        #expect(json.contains("\\b\\t\\n\\u000b\\f\\r"))
        #expect(json.contains("\\u001f\\\"\\\\/ü🚀"))
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(json)]".utf8)) as? [String]
        #expect(decoded == [all])
    }

    @Test func nullsAreWrittenAsNull() {
        #expect(text { $0.appendJSONString(nil as String?); $0.appendJSONInt(nil); $0.appendJSONUUID(nil) } == "nullnullnull")
    }

    @Test(arguments: ["0", "-0", "12", "-1.5e+3", "1E9", "0.25"])
    func validJSONNumbers(number: String) {
        #expect(JSONNumberSyntax.isValid(number))
    }

    @Test(arguments: ["", "-", "01", "1.", ".5", "1e", "+1", "1x", "NaN", "0x10"])
    func invalidJSONNumbers(number: String) {
        #expect(!JSONNumberSyntax.isValid(number))
    }
}
