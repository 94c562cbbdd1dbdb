import Foundation
import Testing
@testable import MFABatchCore

@Suite("Auth credentials file")
struct AuthCredentialsFileTests {
    private let path = "/etc/mfa/creds.json"

    private func parse(_ json: String) throws(CredentialsFileError) -> CredentialsFile {
        try CredentialsFile.parse(Data(json.utf8), path: path)
    }

    @Test func readsKeysAndBearersBySlugOrID() throws {
        let file = try parse("""
            {"acme": {"api_key": "mfab_k1"},
             "0B0B0B0B-0000-4000-8000-00000000000B": {"bearer": "Bearer eyJ.x.y"},
             "initech": {"bearer": "eyJ.a.b"}}
            """)
        #expect(file.entries["acme"] == .apiKey("mfab_k1"))
        #expect(file.entries["0b0b0b0b-0000-4000-8000-00000000000b"] == .bearer("eyJ.x.y"))
        #expect(file.entries["initech"] == .bearer("eyJ.a.b"))
        #expect(file.credential(for: .slug("globex"), account: AuthFixtures.accountB) == .bearer("eyJ.x.y"))
        #expect(file.credential(for: .slug("nobody"), account: nil) == nil)
    }

    @Test("errors name the file and the entry, never the secret", arguments: [
        (#"[1]"#, "credentials file /etc/mfa/creds.json is not a JSON object"),
        (#"{"acme": "SECRETSECRET"}"#, #"entry "acme" must be an object"#),
        (#"{"acme": {"api_key": "SECRETSECRET", "bearer": "SECRETSECRET"}}"#, #"entry "acme" has both"#),
        (#"{"acme": {}}"#, #"entry "acme" has neither"#),
        (#"{"acme": {"api_key": 12}}"#, #"entry "acme" "api_key" must be a non-empty string"#),
        (#"{"acme": {"api_key": ""}}"#, #"entry "acme" "api_key" must be a non-empty string"#),
        (#"{"acme": {"bearer": "Bearer "}}"#, #"entry "acme" "bearer" must be a non-empty string"#),
        (#"{"acme": {"apikey": "SECRETSECRET"}}"#, #"entry "acme" has unknown field "apikey""#),
        (#"{"Acme Corp": {"api_key": "SECRETSECRET"}}"#, #"entry "Acme Corp" is not an account id (UUID) or slug"#),
        (#"{"mfab_SECRETSECRET_x": {"api_key": "k"}}"#, #"entry "mfab_SEC…" is not an account id"#),
        (#"{"acme": {"api_key": "SECRETSECRET"}, "ACME": {"api_key": "k"}}"#, #"entry "ACME" is not an account id"#),
    ])
    func rejects(json: String, expected: String) {
        #expect {
            try parse(json)
        } throws: { error in
            let text = "\(error)"
            return text.contains(expected) && text.contains(path) && !text.contains("SECRETSECRET")
        }
    }

    @Test func sameAccountTwiceByIDInDifferentCaseIsRefused() {
        #expect(throws: CredentialsFileError.self) {
            try parse("""
                {"0b0b0b0b-0000-4000-8000-00000000000b": {"api_key": "a"},
                 "0B0B0B0B-0000-4000-8000-00000000000B": {"api_key": "b"}}
                """)
        }
    }

    @Test func unreadableFileIsNamed() {
        #expect {
            try CredentialsFile.load(path: "/nonexistent/creds.json")
        } throws: { error in
            "\(error)" == "credentials file /nonexistent/creds.json cannot be read"
        }
    }

    @Test func loadsFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString).json")
        try Data(#"{"acme": {"api_key": "mfab_x"}}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try CredentialsFile.load(path: url.path).entries == ["acme": .apiKey("mfab_x")])
    }
}
