import Postgres
import Testing
import TestSupport

@Suite struct ConnectionSettingsTests {
    @Test func databaseURLOptionBeatsEnvironment() {
        let settings = ConnectionSettings.resolve(databaseURL: "postgresql://a@/x", environment: ["DATABASE_URL": "postgresql://b@/y"])
        #expect(settings.conninfo == "postgresql://a@/x")
        #expect(ConnectionSettings.resolve(databaseURL: nil, environment: ["DATABASE_URL": "postgresql://b@/y"]).conninfo == "postgresql://b@/y")
        #expect(ConnectionSettings.resolve(databaseURL: nil, environment: [:]).conninfo == "")
    }

    /// The message libpq gives (or our refusal) for `conninfo`.
    private func connectionMessage(_ conninfo: String) -> String? {
        let error = #expect(throws: PostgresError.self) { try Connection(settings: ConnectionSettings(conninfo: conninfo)) }
        #expect(error?.kind == .connection)
        return error?.description
    }

    @Test func optionsAreParsedByLibpqAndThePasswordIsRedactedByField() throws {
        let settings = ConnectionSettings(conninfo: "postgresql://alice:s%40cret@db.example:6432/app?sslmode=disable")
        let options = try settings.options()
        #expect(options.contains(.init(keyword: "password", value: "s@cret")))
        #expect(options.contains(.init(keyword: "port", value: "6432")))
        let shown = settings.redactedDescription()
        #expect(shown.contains("password=****") && shown.contains("host=db.example") && !shown.contains("cret"))
        let keyValue = ConnectionSettings(conninfo: "host=db password='hunter two' user=bob")
        #expect(try keyValue.options().contains(.init(keyword: "password", value: "hunter two")))
        #expect(!keyValue.redactedDescription().contains("hunter"))
    }

    /// The old redaction replaced every occurrence of the password in the message, so
    /// a one-letter password showed through the words around it (`f****iled`).
    @Test func aShortPasswordIsNotRevealedByMaskingItsOccurrences() {
        let message = connectionMessage("postgresql://alice:f@127.0.0.1:1/app?connect_timeout=2")
        #expect(message?.contains("failed") == true)
        #expect(message?.contains("****") == false)
    }

    /// An unescaped `/` or `@` in a URL's password sends its pieces to the port, host
    /// or database name, which libpq's messages quote (`invalid integer value "Zq9"
    /// for connection option "port"`): refused before connecting, showing no piece.
    @Test func passwordPiecesInOtherFieldsAreNeverShown() {
        for (conninfo, pieces) in [
            ("postgresql://alice:Zq9/Xk7@127.0.0.1:1/app", ["Zq9", "Xk7"]),
            ("postgresql://alice:p4ss@w0rd@127.0.0.1:1/app?connect_timeout=2", ["p4ss", "w0rd"]),
            ("postgresql://alice:Zq9/Xk7", ["Zq9", "Xk7"]),
        ] {
            let message = connectionMessage(conninfo) ?? ""
            for piece in pieces { #expect(!message.contains(piece), "\(conninfo): \(message)") }
            #expect(message.contains("percent-encoded"), "\(message)")
        }
    }

    /// libpq's parse errors quote the offending piece of the string, which may be
    /// (part of) the password: every quoted part is left out.
    @Test func parseErrorsQuoteNothingOfTheString() {
        for (conninfo, secret) in [
            ("postgresql://alice:s%zzret@host/app", "zzret"),
            ("host=db password=hunter two user=bob", "two"),
            ("postgresql://alice:se cret@[::1/app", "cret"),
        ] {
            let message = connectionMessage(conninfo) ?? ""
            #expect(!message.contains(secret), "\(message)")
            #expect(message.contains("invalid connection string"), "\(message)")
        }
    }

    @Test func unreachableServerFailsWithoutShowingThePassword() {
        let settings = ConnectionSettings(conninfo: "postgresql://alice:topsecret123@127.0.0.1:1/app?connect_timeout=2")
        let error = #expect(throws: PostgresError.self) { try Connection(settings: settings) }
        #expect(error?.kind == .connection)
        #expect(error?.isConnectionLost == true)
        #expect(error.map { !$0.description.contains("topsecret123") } == true)
    }

    @Test func malformedURLFailsWithoutShowingThePassword() {
        let settings = ConnectionSettings(conninfo: "postgresql://alice:topsecret123@host:notaport/db?bogus=1")
        let error = #expect(throws: PostgresError.self) { try Connection(settings: settings) }
        #expect(error.map { !$0.description.contains("topsecret123") } == true)
    }
}
