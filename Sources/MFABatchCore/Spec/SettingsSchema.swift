import Foundation

/// The settable manifest fields, derived from the OpenAPI document rather than
/// written in code, so that a boolean property added to the spec's request body
/// becomes a manifest field (and a CSV column) without a code change.
///
/// Derivation: the operation whose `operationId` is `updateMfaSettings`, its
/// `requestBody.content["application/json"].schema` (following local `$ref`s such as
/// `#/components/schemas/MfaSettings`), and every member of that schema's
/// `properties` whose type is `boolean`, in document order.
///
/// Non-boolean properties are ignored: the tool can only set flags (the database
/// columns and the desired-state resolution are boolean), so a string or object
/// property in the API is something this tool does not manage, not an error.
///
/// ```swift
/// let schema = SettingsSchema.bundled
/// schema.settings // ["totp_enabled", "passkey_enabled"]
/// ```
public struct SettingsSchema: Sendable, Equatable {
    /// The manifest fields that are not settings.
    public static let reservedFields = ["account", "user", "api_key", "authorization", "comment"]

    /// At most this many settings (the validator keeps a row's settings and fields in
    /// 64-bit sets, which is what lets it check a row without allocating).
    public static let maxSettings = 64 - reservedFields.count

    /// The operation whose request body defines the settings.
    public static let operationID = "updateMfaSettings"

    /// Setting names in document order, e.g. `["totp_enabled", "passkey_enabled"]`.
    public let settings: [String]

    /// Every field a manifest row may carry: `account`, `user`, the settings,
    /// `api_key`, `authorization`, `comment`.
    public var allowedFields: [String] {
        ["account", "user"] + settings + ["api_key", "authorization", "comment"]
    }

    /// For tests and tools that already know the fields.
    public init(settings: [String]) {
        precondition(settings.count <= Self.maxSettings, "more than \(Self.maxSettings) settings")
        self.settings = settings
    }

    /// Loads any OpenAPI 3 document (JSON).
    public init(openAPIJSON data: Data) throws(SettingsSchemaError) {
        let document: OrderedJSON
        do {
            document = try OrderedJSON.parse(data)
        } catch {
            if case .syntax(let line, let message) = error {
                throw SettingsSchemaError("the OpenAPI document is not valid JSON: line \(line): \(message)")
            }
            throw SettingsSchemaError("the OpenAPI document is not valid JSON")
        }
        self.settings = try Self.settings(in: document)
    }

    /// The project's own copy of `spec/openapi-mfa-settings.json`, embedded at build
    /// time. A broken embedded spec is a build defect, not an operator error, hence
    /// the trap (the test suite loads it, so it cannot ship broken).
    public static let bundled: SettingsSchema = {
        guard let data = Data(base64Encoded: EmbeddedResources.openAPISpecBase64) else {
            preconditionFailure("the embedded OpenAPI spec is not valid base64")
        }
        do {
            return try SettingsSchema(openAPIJSON: data)
        } catch {
            preconditionFailure("the embedded OpenAPI spec is unusable: \(error)")
        }
    }()

    private static func settings(in document: OrderedJSON) throws(SettingsSchemaError) -> [String] {
        guard let operation = findOperation(in: document) else {
            throw SettingsSchemaError("no operation with operationId \(operationID)")
        }
        guard let body = resolve(operation["requestBody"], in: document),
              let schema = resolve(body["content"]?["application/json"]?["schema"], in: document) else {
            throw SettingsSchemaError("\(operationID) has no application/json request body schema")
        }
        guard case .object(let properties)? = schema["properties"] else {
            throw SettingsSchemaError("the \(operationID) request body schema has no properties")
        }
        var names: [String] = []
        for property in properties {
            guard resolve(property.value, in: document)?["type"]?.stringValue == "boolean" else { continue }
            if reservedFields.contains(property.key) {
                throw SettingsSchemaError("boolean property \(property.key) collides with the manifest field of that name")
            }
            if names.contains(property.key) {
                throw SettingsSchemaError("property \(property.key) is declared twice")
            }
            names.append(property.key)
        }
        if names.count > maxSettings {
            throw SettingsSchemaError("more than \(maxSettings) boolean properties; the tool supports at most \(maxSettings)")
        }
        if names.isEmpty {
            throw SettingsSchemaError("the \(operationID) request body has no boolean property")
        }
        return names
    }

    private static func findOperation(in document: OrderedJSON) -> OrderedJSON? {
        guard case .object(let paths)? = document["paths"] else { return nil }
        for path in paths {
            guard case .object(let operations) = path.value else { continue }
            for operation in operations where operation.value["operationId"]?.stringValue == operationID {
                return operation.value
            }
        }
        return nil
    }

    /// Follows `{"$ref": "#/…"}` (local JSON pointers only), a bounded number of times.
    private static func resolve(_ value: OrderedJSON?, in document: OrderedJSON) -> OrderedJSON? {
        var current = value
        for _ in 0..<16 {
            guard let ref = current?["$ref"]?.stringValue else { return current }
            guard ref.hasPrefix("#/") else { return nil }
            var target: OrderedJSON? = document
            for token in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                target = target?[key]
            }
            current = target
        }
        return nil
    }
}
