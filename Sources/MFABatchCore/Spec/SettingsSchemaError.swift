/// Why an OpenAPI document cannot give the settings schema.
public struct SettingsSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "OpenAPI spec: \(message)" }
}
