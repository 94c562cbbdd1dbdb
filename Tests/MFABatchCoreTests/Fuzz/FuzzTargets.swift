import Foundation
@testable import MFABatchCore

/// What each libFuzzer harness does with one input (`scripts/fuzz` compiles this
/// file with `Tests/Fuzz/Entry.swift` and `-sanitize=fuzzer`), and what the
/// regression tests replay every kept crasher through (`FuzzCrasherTests`): so a
/// crasher is replayed exactly as it was found.
///
/// A target may throw (a manifest that is unusable is an answer, not a failure);
/// a crash, a trap or a hang is a finding. Each goes as far as the run would: a
/// manifest's rows through the reader, the schema check and the report's echo
/// rules; a token through `JWT.parse` and the verifier.
enum FuzzTargets {
    enum Target: String, CaseIterable {
        case csv, json, jsonl, jwt
    }

    static func run(_ target: Target, _ data: [UInt8]) {
        switch target {
        case .csv, .json, .jsonl: manifest(target, data)
        case .jwt: token(data)
        }
    }

    /// The first byte chooses the reader's chunk size (1–64 bytes, or the normal
    /// 1 MiB), so rows, escapes and line breaks fall across chunk boundaries.
    private static func manifest(_ target: Target, _ data: [UInt8]) {
        guard let first = data.first else { return }
        let chunk = first == 0xFF ? ManifestLimits.chunkBytes : Int(first % 64) + 1
        let bytes = Array(data.dropFirst())
        let format: ManifestFormat = target == .csv ? .csv : target == .json ? .json : .jsonl
        do {
            let reader = try ManifestSource.reader(bytes: bytes, format: format, fileName: "fuzz", schema: .bundled,
                                                   chunkSize: chunk)
            let validator = RowValidator(schema: .bundled, format: format)
            var rows = 0
            while let raw = try reader.next() {
                rows += 1
                switch validator.check(raw) {
                case .success(let row):
                    _ = RowOutcome(row: row.row, line: row.line, account: raw.text("account"), user: raw.text("user"),
                                   status: .valid, comment: row.comment)
                case .failure(let diagnostic):
                    _ = RowOutcome(diagnostic, raw: raw)
                }
                if rows > 10_000 { break }
            }
        } catch {
            _ = "\(error)"
        }
    }

    private static func token(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? JWT.parse(text)
        _ = CredentialFields.containsCredential(text)
        _ = EchoedText.shown(text)
        _ = data.withUnsafeBufferPointer { FieldSyntax.bearerTokenOffset($0) }
    }
}
