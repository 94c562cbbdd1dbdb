import Foundation
@testable import MFABatchCore

/// Fixture manifests, found next to this file (Package.swift declares no resources).
enum ManifestFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("manifests")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Chunk sizes that put rows, cells, escapes and line breaks across boundaries.
    static let chunkSizes = [1, 2, 3, 7, 64, ManifestLimits.chunkBytes]
}

/// Every row of a reader.
func readAllRows(_ reader: any ManifestReader) throws -> [RawRow] {
    var rows: [RawRow] = []
    while let row = try reader.next() { rows.append(row) }
    return rows
}

/// Opens a fixture from disk (the real file-descriptor path), named as the CLI would
/// name it: just the file name, for readable expected messages.
func openFixture(_ name: String, format: ManifestFormat? = nil,
                 schema: SettingsSchema = .bundled) throws -> any ManifestReader {
    let path = ManifestFixtures.path(name)
    do {
        return RenamedReader(try ManifestSource.open(path: path, format: format, schema: schema), fileName: name)
    } catch {
        var renamed = error
        renamed.file = name
        throw renamed
    }
}

/// A fixture in memory, read `chunkSize` bytes at a time.
func fixtureReader(_ name: String, chunkSize: Int, schema: SettingsSchema = .bundled) throws -> any ManifestReader {
    let format = ManifestFormat(path: name)!
    return try ManifestSource.reader(bytes: try ManifestFixtures.bytes(name), format: format, fileName: name,
                                     schema: schema, chunkSize: chunkSize)
}

/// Runs `body` and gives the `ManifestError` description it threw (nil if none).
func manifestErrorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as ManifestError {
        return error.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

/// Reads a fixture to the end from disk, and again in memory with every chunk size;
/// returns the error description of each attempt (all must agree).
func fixtureErrors(_ name: String) -> [String?] {
    var results: [String?] = [manifestErrorText { _ = try readAllRows(try openFixture(name)) }]
    for size in ManifestFixtures.chunkSizes {
        results.append(manifestErrorText { _ = try readAllRows(try fixtureReader(name, chunkSize: size)) })
    }
    return results
}

func rawRow(_ row: Int, line: Int, _ fields: (String, RawValue)...) -> RawRow {
    RawRow(row: row, line: line, fields: fields.map { RawField(name: $0.0, value: $0.1) })
}

/// Replaces the path in error messages by the bare fixture name.
final class RenamedReader: ManifestReader {
    private let inner: any ManifestReader
    let fileName: String
    init(_ inner: any ManifestReader, fileName: String) {
        self.inner = inner
        self.fileName = fileName
    }
    var format: ManifestFormat { inner.format }
    var columns: [String]? { inner.columns }
    func next() throws(ManifestError) -> RawRow? {
        do {
            return try inner.next()
        } catch {
            var renamed = error
            renamed.file = fileName
            throw renamed
        }
    }
}
