import Foundation
import Testing
@testable import MFABatchCore

@Suite struct SettingsSchemaTests {
    /// The embedded spec, as text, to derive modified copies from.
    static func bundledSpecText() -> String {
        String(decoding: Data(base64Encoded: EmbeddedResources.openAPISpecBase64)!, as: UTF8.self)
    }

    @Test func bundledSpecGivesTheTwoSettingsInDocumentOrder() {
        #expect(SettingsSchema.bundled.settings == ["totp_enabled", "passkey_enabled"])
        #expect(SettingsSchema.bundled.allowedFields
            == ["account", "user", "totp_enabled", "passkey_enabled", "api_key", "authorization", "comment"])
    }

    /// A boolean property added to the spec becomes a manifest field and a CSV column
    /// with no code change; a string property is ignored.
    @Test func addedBooleanPropertyBecomesAField() throws {
        let anchor = "\"passkey_enabled\": {"
        let text = Self.bundledSpecText()
        #expect(text.contains(anchor))
        let modified = text.replacingOccurrences(
            of: anchor,
            with: "\"label\": {\"type\": \"string\"}, \"sms_enabled\": {\"type\": \"boolean\"}, " + anchor)
        let schema = try SettingsSchema(openAPIJSON: Data(modified.utf8))
        #expect(schema.settings == ["totp_enabled", "sms_enabled", "passkey_enabled"])

        let csv = "account,user,sms_enabled\nacme,*,TRUE\n"
        let reader = try ManifestSource.reader(bytes: Array(csv.utf8), format: .csv, fileName: "m.csv", schema: schema)
        #expect(reader.columns == ["account", "user", "sms_enabled"])
        let row = try #require(try reader.next())
        guard case .success(let checked) = RowValidator(schema: schema, format: .csv).check(row) else {
            Issue.record("sms_enabled row rejected")
            return
        }
        #expect(checked.settings == [SettingChange(field: "sms_enabled", value: true)])

        // The bundled schema does not know the column.
        let rejected = manifestErrorText {
            _ = try ManifestSource.reader(bytes: Array(csv.utf8), format: .csv, fileName: "m.csv", schema: .bundled)
        }
        #expect(rejected?.hasPrefix("m.csv: line 1: column \"sms_enabled\": unknown column") == true)
    }

    @Test func referencedSchemasAreFollowed() throws {
        let document = """
        {"openapi": "3.0.3", "paths": {"/x": {"get": {"operationId": "other"},
          "patch": {"operationId": "updateMfaSettings", "requestBody": {"$ref": "#/components/requestBodies/Mfa"}}}},
         "components": {
          "requestBodies": {"Mfa": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Mfa"}}}}},
          "schemas": {"Mfa": {"type": "object", "properties": {
            "z_flag": {"$ref": "#/components/schemas/Flag"}, "count": {"type": "integer"}, "a_flag": {"type": "boolean"}}},
           "Flag": {"type": "boolean"}}}}
        """
        #expect(try SettingsSchema(openAPIJSON: Data(document.utf8)).settings == ["z_flag", "a_flag"])
    }

    @Test(arguments: [
        ("{\"paths\": {}}", "OpenAPI spec: no operation with operationId updateMfaSettings"),
        ("{\"paths\": {\"/a\": {\"patch\": {\"operationId\": \"updateMfaSettings\"}}}}",
         "OpenAPI spec: updateMfaSettings has no application/json request body schema"),
        ("""
         {"paths": {"/a": {"patch": {"operationId": "updateMfaSettings", "requestBody": {"content": {"application/json":
           {"schema": {"properties": {"note": {"type": "string"}}}}}}}}}}
         """, "OpenAPI spec: the updateMfaSettings request body has no boolean property"),
        ("""
         {"paths": {"/a": {"patch": {"operationId": "updateMfaSettings", "requestBody": {"content": {"application/json":
           {"schema": {"properties": {"comment": {"type": "boolean"}}}}}}}}}}
         """, "OpenAPI spec: boolean property comment collides with the manifest field of that name"),
        ("{\n\"paths\": ", "OpenAPI spec: the OpenAPI document is not valid JSON: line 2: truncated JSON: expected a value at the end of the file"),
    ])
    func unusableDocuments(document: String, expected: String) {
        do {
            _ = try SettingsSchema(openAPIJSON: Data(document.utf8))
            Issue.record("accepted \(document)")
        } catch {
            #expect(error.description == expected)
        }
    }
}
