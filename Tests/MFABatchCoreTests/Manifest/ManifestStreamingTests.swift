import Foundation
import Testing
@testable import MFABatchCore

/// Large manifests are read from disk chunk by chunk (the window never holds more
/// than one row plus a chunk), whatever their length.
@Suite struct ManifestStreamingTests {
    static let rowCount = 200_000

    /// Writes `rowCount` rows through a FileHandle in pieces, never building the whole file.
    static func writeLargeFile(format: ManifestFormat) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mfa-batch-stream-\(UUID().uuidString).\(format.rawValue)")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var piece = ""
        switch format {
        case .csv: piece = "account,user,totp_enabled,passkey_enabled,comment\r\n"
        case .json: piece = "{\"changes\": [\n"
        case .jsonl: break
        }
        for i in 1...rowCount {
            let email = "user\(i)@tenant\(i % 97).example.com"
            switch format {
            case .csv:
                piece += "tenant-\(i % 97),\(email),\(i % 2 == 0),,\"row \(i), \"\"quoted\"\"\"\r\n"
            case .json:
                piece += (i > 1 ? ",\n" : "") + "  {\"account\": \"tenant-\(i % 97)\", \"user\": \"\(email)\", "
                    + "\"totp_enabled\": \(i % 2 == 0)}"
            case .jsonl:
                piece += "{\"account\": \"tenant-\(i % 97)\", \"user\": \"\(email)\", \"totp_enabled\": \(i % 2 == 0)}\n"
            }
            if piece.utf8.count > 1 << 16 {
                try handle.write(contentsOf: Data(piece.utf8))
                piece = ""
            }
        }
        if format == .json { piece += "\n]}\n" }
        try handle.write(contentsOf: Data(piece.utf8))
        return url
    }

    @Test(arguments: ManifestFormat.allCases)
    func readsAndValidatesALargeFile(format: ManifestFormat) throws {
        let url = try Self.writeLargeFile(format: format)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try ManifestSource.open(path: url.path, format: nil, schema: .bundled)
        let validator = RowValidator(schema: .bundled, format: format)
        var count = 0, valid = 0
        var last: RawRow?
        while let row = try reader.next() {
            count += 1
            if case .success = validator.check(row) { valid += 1 }
            last = row
        }
        #expect(count == Self.rowCount)
        #expect(valid == Self.rowCount)
        #expect(last?.row == Self.rowCount)
        // CSV: header on line 1; JSON: the wrapper opens on line 1; JSON Lines: no header.
        #expect(last?.line == (format == .jsonl ? Self.rowCount : Self.rowCount + 1))
        #expect(last?.value("user") == .string("user\(Self.rowCount)@tenant\(Self.rowCount % 97).example.com"))
    }
}
