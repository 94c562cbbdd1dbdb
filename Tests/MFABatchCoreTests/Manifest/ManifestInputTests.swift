import Foundation
import Testing
@testable import MFABatchCore

/// Issue 12, item 1: what a run applies is exactly what it hashed.
@Suite struct ManifestInputTests {
    static let original = "account,user,totp_enabled\nacme,*,true\n"
    static let other = "account,user,totp_enabled\nglobex,*,false\nglobex,*,false\n"

    private func rows(_ input: ManifestInput) throws -> [String] {
        try readAllRows(try input.open(schema: .bundled)).map { $0.text("account") }
    }

    @Test func aFileSwappedOrRewrittenAfterTheCheckIsNotRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-input-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.csv")
        try Data(Self.original.utf8).write(to: path)
        let input = try ManifestInput(path: path.path, format: nil)
        let planned = input.sha256
        // Swapped by rename (a new inode under the name) …
        let swap = directory.appendingPathComponent("swap.csv")
        try Data(Self.other.utf8).write(to: swap)
        #expect(rename(swap.path, path.path) == 0)
        #expect(try rows(input) == ["acme"])
        // … or rewritten in place (same inode).
        let handle = try FileHandle(forWritingTo: path)
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(Self.other.utf8))
        try handle.close()
        #expect(try rows(input) == ["acme"])
        #expect(input.sha256 == planned)
        #expect(try ManifestInput(path: path.path, format: nil).sha256 != planned)
    }

    @Test func everyReaderStartsAtTheFirstRow() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mfa-input-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.jsonl")
        try Data("{\"account\": \"a\"}\n{\"account\": \"b\"}\n".utf8).write(to: path)
        let input = try ManifestInput(path: path.path, format: nil)
        let first = try input.open(schema: .bundled)
        _ = try first.next()
        #expect(try rows(input) == ["a", "b"])
        #expect(try first.next()?.text("account") == "b")
    }
}
