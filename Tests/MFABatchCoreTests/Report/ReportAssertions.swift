import Foundation
import Testing

/// Helpers shared by the report tests.
enum ReportAssertions {
    /// Compares bytes exactly; on a mismatch reports the first differing line.
    static func expectSameBytes(_ actual: Data, golden name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try Data(contentsOf: ReportSamples.fixture(name))
        guard actual != expected else { return }
        let actualLines = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
        let expectedLines = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let index = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(actualLines.count, expectedLines.count)
        let got = index < actualLines.count ? actualLines[index].debugDescription : "<end>"
        let want = index < expectedLines.count ? expectedLines[index].debugDescription : "<end>"
        Issue.record("\(name) differs at line \(index + 1):\n got: \(got)\nwant: \(want)", sourceLocation: sourceLocation)
    }

    /// The permission bits of a file.
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Offsets of `keys` in `text`, to check the order in which they were written.
    /// `prefix` narrows the match (e.g. the indentation of top-level keys).
    static func offsets(of keys: [String], in text: String, prefix: String = "") -> [Int] {
        keys.map { key in
            text.range(of: prefix + "\"\(key)\":").map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? -1
        }
    }
}
