import Foundation

/// A saved plan (`mfa-batch plan MANIFEST --out PLAN`): what `apply PLAN` needs to
/// apply exactly what was previewed. It names the manifest by absolute path and
/// SHA-256 (the rows themselves stay in the manifest), the options of the preview,
/// and per tenant a fingerprint of its data when planned. Applying re-checks both:
/// a changed manifest is refused outright, a changed tenant is refused as `stale`.
/// Same manifest plus same data means the same changes as previewed.
///
/// A JSON document, `Codable`, with its version as the member `"mfa_batch_plan": 1`:
/// `apply` tells a plan from a JSON manifest by parsing its top-level members, not
/// by a byte prefix. It holds no credential.
public struct PlanFile: Sendable, Codable {
    public static let version = 1

    public var runID: UUID
    public var manifest: String
    public var manifestSHA256: String
    public var format: ManifestFormat
    public var partial: Bool
    public var createdAt: Date
    public var tenants: [Tenant]

    /// A tenant as planned: its fingerprint covers its data and who was authorized.
    public struct Tenant: Sendable, Codable, Equatable {
        public var accountID: UUID
        public var account: String
        public var fingerprint: String

        public init(accountID: UUID, account: String, fingerprint: String) {
            self.accountID = accountID
            self.account = account
            self.fingerprint = fingerprint
        }

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id", account, fingerprint
        }
    }

    public init(runID: UUID, manifest: String, manifestSHA256: String, format: ManifestFormat, partial: Bool,
                createdAt: Date, tenants: [Tenant]) {
        self.runID = runID
        self.manifest = manifest
        self.manifestSHA256 = manifestSHA256
        self.format = format
        self.partial = partial
        self.createdAt = createdAt
        self.tenants = tenants
    }

    enum CodingKeys: String, CodingKey {
        case version = "mfa_batch_plan", runID = "run_id", manifest, manifestSHA256 = "manifest_sha256", format,
             partial, createdAt = "created_at_ms", tenants
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let version = try container.decode(Int.self, forKey: .version)
        guard version == Self.version else {
            throw DecodingError.dataCorruptedError(forKey: .version, in: container,
                                                   debugDescription: "plan version \(version); this binary reads version \(Self.version)")
        }
        runID = try container.decode(UUID.self, forKey: .runID)
        manifest = try container.decode(String.self, forKey: .manifest)
        manifestSHA256 = try container.decode(String.self, forKey: .manifestSHA256)
        format = try container.decode(ManifestFormat.self, forKey: .format)
        partial = try container.decode(Bool.self, forKey: .partial)
        createdAt = Date(milliseconds: try container.decode(Int64.self, forKey: .createdAt))
        tenants = try container.decode([Tenant].self, forKey: .tenants)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.version, forKey: .version)
        try container.encode(runID, forKey: .runID)
        try container.encode(manifest, forKey: .manifest)
        try container.encode(manifestSHA256, forKey: .manifestSHA256)
        try container.encode(format, forKey: .format)
        try container.encode(partial, forKey: .partial)
        try container.encode(createdAt.milliseconds, forKey: .createdAt)
        try container.encode(tenants, forKey: .tenants)
    }

    public var fingerprints: [UUID: String] {
        Dictionary(tenants.map { ($0.accountID, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): not a usable plan: \(message)" }
    }

    /// Whether the file at `path` is a plan: a JSON object with a top-level member
    /// `mfa_batch_plan`, found by scanning its members (keys sorted, so it comes
    /// before `tenants`) in the first 4 KiB; a manifest is never read whole, and a
    /// manifest object's first member is `changes`.
    public static func isPlan(path: String) -> Bool {
        guard path != "-", let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = Array((try? handle.read(upToCount: 4096)) ?? Data())
        return topLevelMemberNames(head).contains(CodingKeys.version.rawValue)
    }

    /// The names of the top-level members of the JSON object `bytes` start with (after
    /// an optional BOM and whitespace), as far as `bytes` go.
    static func topLevelMemberNames(_ bytes: [UInt8]) -> [String] {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        func skipBlanks() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }
        /// A string starting at `index` (its quote); nil at the end of the bytes.
        func string() -> String? {
            var scalar: [UInt8] = []
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") { index += 2; continue }
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: scalar, as: UTF8.self) }
                scalar.append(byte)
            }
            return nil
        }
        /// Skips one value; false at the end of the bytes.
        func skipValue() -> Bool {
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    if depth == 0 { return true }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return true }
                    depth -= 1
                    index += 1
                    if depth == 0 { return true }
                case UInt8(ascii: ","):
                    if depth == 0 { return true }
                    index += 1
                default:
                    index += 1
                }
            }
            return false
        }
        var names: [String] = []
        skipBlanks()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return names }
        index += 1
        while true {
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let name = string() else { return names }
            names.append(name)
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return names }
            index += 1
            skipBlanks()
            guard skipValue() else { return names }
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ",") else { return names }
            index += 1
        }
    }

    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings, numbers and UUIDs cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
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
        do {
            return try JSONDecoder().decode(PlanFile.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Invalid(path: path, message: (field.isEmpty ? "" : "the field \(field): ") + context.debugDescription)
        } catch let DecodingError.keyNotFound(key, _) {
            throw Invalid(path: path, message: "the field \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Invalid(path: path, message: "the field \(field) has the wrong type")
        } catch {
            throw Invalid(path: path, message: "not a plan: \(error.localizedDescription)")
        }
    }
}
