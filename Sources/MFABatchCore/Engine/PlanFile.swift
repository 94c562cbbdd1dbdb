import Foundation

/// A saved plan (`mfa-batch plan MANIFEST --out PLAN`): what `apply PLAN` needs to
/// apply exactly what was previewed. It names the manifest by absolute path and
/// SHA-256 (the rows themselves stay in the manifest), the options of the preview,
/// and per tenant a fingerprint of its data when planned. Applying re-checks both:
/// a changed manifest is refused outright, a changed tenant is refused as `stale`.
/// Same manifest plus same data means the same changes as previewed.
///
/// The file starts with `{"mfa_batch_plan": 1`, which is how `apply` tells a plan
/// from a JSON manifest. It holds no credential.
public struct PlanFile: Sendable {
    public static let marker = "{\"mfa_batch_plan\": 1"

    public var runID: UUID
    public var manifest: String
    public var manifestSHA256: String
    public var format: ManifestFormat
    public var partial: Bool
    public var createdAt: Date
    /// Account id → fingerprint.
    public var tenants: [(accountID: UUID, account: String, fingerprint: String)]

    public init(runID: UUID, manifest: String, manifestSHA256: String, format: ManifestFormat, partial: Bool,
                createdAt: Date, tenants: [(accountID: UUID, account: String, fingerprint: String)]) {
        self.runID = runID
        self.manifest = manifest
        self.manifestSHA256 = manifestSHA256
        self.format = format
        self.partial = partial
        self.createdAt = createdAt
        self.tenants = tenants
    }

    public var fingerprints: [UUID: String] {
        Dictionary(tenants.map { ($0.accountID, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): not a usable plan: \(message)" }
    }

    /// Whether the file at `path` is a plan (by its first bytes).
    public static func isPlan(path: String) -> Bool {
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: marker.utf8.count)) ?? Data()
        return head == Data(marker.utf8)
    }

    public func encoded() -> String {
        var text = PlanFile.marker + ",\n"
        text += "  \"run_id\": \(JSONText.string(runID.uuidString.lowercased())),\n"
        text += "  \"manifest\": \(JSONText.string(manifest)),\n"
        text += "  \"manifest_sha256\": \(JSONText.string(manifestSHA256)),\n"
        text += "  \"format\": \(JSONText.string(format.rawValue)),\n"
        text += "  \"partial\": \(partial),\n"
        text += "  \"created_at_ms\": \(createdAt.milliseconds),\n"
        text += "  \"tenants\": [" + tenants.map { tenant in
            "\n    " + JSONText.object([
                ("account_id", JSONText.string(tenant.accountID.uuidString.lowercased())),
                ("account", JSONText.string(tenant.account)),
                ("fingerprint", JSONText.string(tenant.fingerprint)),
            ])
        }.joined(separator: ",") + (tenants.isEmpty ? "]\n" : "\n  ]\n")
        return text + "}\n"
    }

    /// Writes the plan as every output is written (`OutputSink`): a regular file is
    /// created 0600 under a temporary name (`O_EXCL | O_NOFOLLOW`) and renamed into
    /// place, complete or not at all; a device or pipe is written in place, never
    /// replaced; a directory is refused; `-` is standard output.
    public func write(to path: String) throws {
        do {
            let sink = try OutputSink(ReportOutput(argument: path))
            var buffer = OutputBuffer()
            buffer.append(text: encoded())
            try sink.write(&buffer)
            try sink.commit()
        } catch {
            throw Invalid(path: path, message: "cannot write the plan file: \(error)")
        }
    }

    public static func read(path: String) throws -> PlanFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(path: path, message: "cannot read it")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (object["mfa_batch_plan"] as? NSNumber)?.intValue == 1 else {
            throw Invalid(path: path, message: "not a plan of version 1")
        }
        guard let runID = (object["run_id"] as? String).flatMap(UUID.init(uuidString:)),
              let manifest = object["manifest"] as? String,
              let sha = object["manifest_sha256"] as? String,
              let format = (object["format"] as? String).flatMap(ManifestFormat.init(option:)),
              let partial = object["partial"] as? Bool,
              let created = (object["created_at_ms"] as? NSNumber)?.int64Value,
              let tenants = object["tenants"] as? [[String: Any]] else {
            throw Invalid(path: path, message: "a field is missing or has the wrong type")
        }
        var parsed: [(accountID: UUID, account: String, fingerprint: String)] = []
        for tenant in tenants {
            guard let id = (tenant["account_id"] as? String).flatMap(UUID.init(uuidString:)),
                  let account = tenant["account"] as? String, let fingerprint = tenant["fingerprint"] as? String else {
                throw Invalid(path: path, message: "a tenant entry is malformed")
            }
            parsed.append((id, account, fingerprint))
        }
        return PlanFile(runID: runID, manifest: manifest, manifestSHA256: sha, format: format, partial: partial,
                        createdAt: Date(milliseconds: created), tenants: parsed)
    }
}
