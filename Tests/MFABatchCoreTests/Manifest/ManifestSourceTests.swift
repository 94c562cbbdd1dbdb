import Foundation
import Testing
@testable import MFABatchCore

@Suite struct ManifestSourceTests {
    @Test func stdinNeedsAFormat() {
        let text = manifestErrorText { _ = try ManifestSource.open(path: "-", format: nil, schema: .bundled) }
        #expect(text == "<stdin>: reading a manifest from stdin (-) needs --format csv|json|jsonl")
    }

    @Test func unknownExtensionNeedsAFormat() {
        let text = manifestErrorText { _ = try ManifestSource.open(path: "changes.txt", format: nil, schema: .bundled) }
        #expect(text == "changes.txt: cannot tell the manifest format from the file name; "
            + "use a .csv, .json, .jsonl or .ndjson name or give --format")
    }

    @Test func missingFileIsAManifestError() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString).csv").path
        let text = manifestErrorText { _ = try ManifestSource.open(path: path, format: nil, schema: .bundled) }
        #expect(text == "\(path): cannot open: No such file or directory")
    }

    @Test func directoryIsAManifestError() {
        let path = ManifestFixtures.directory.path
        let text = manifestErrorText {
            _ = try readAllRows(try ManifestSource.open(path: path, format: .jsonl, schema: .bundled))
        }
        #expect(text == "\(path): line 1: cannot read: Is a directory")
    }

    @Test func formatOptionMayNotContradictTheExtension() throws {
        // PRODUCT.md: --format is for when the extension does not say; a contradiction
        // is refused rather than silently read one way or the other.
        let text = manifestErrorText {
            _ = try readAllRows(try openFixture("good.ndjson", format: .json))
        }
        #expect(text == "good.ndjson: --format json contradicts the file name (a .jsonl manifest); give --format only when the name does not tell the format")
    }
}
