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

    @Test func redactRemovesPasswordsInEveryForm() {
        let url = ConnectionSettings(conninfo: "postgresql://alice:s%40cret@db.example/app")
        #expect(!url.redact("could not connect to postgresql://alice:s%40cret@db.example/app").contains("s%40cret"))
        #expect(!url.redact("password s@cret rejected").contains("s@cret"))
        let keyValue = ConnectionSettings(conninfo: "host=db password='hunter two' user=bob")
        #expect(!keyValue.redact("password='hunter two' was wrong: hunter two").contains("hunter"))
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
