import Foundation
import Testing
@testable import MFABatchCore

@Suite struct CSVReaderTests {
    /// Expected rows of good.csv, written by hand from the fixture.
    static let goodRows = [
        rawRow(1, line: 2, ("account", .string("acme")), ("user", .string("alice@acme.com")),
               ("totp_enabled", .string("true")), ("passkey_enabled", .string("")),
               ("comment", .string("rolls out, phase 1"))),
        rawRow(2, line: 3, ("account", .string("acme")), ("user", .string("*")),
               ("totp_enabled", .string("TRUE")), ("passkey_enabled", .string("false")),
               ("comment", .string("say \"hi\"\nsecond line"))),
        rawRow(3, line: 6, ("account", .string("2f1c8a5e-3b7d-4c2a-9e6f-1a2b3c4d5e6f")),
               ("user", .string("bob@acme.com")), ("totp_enabled", .string(" false ")),
               ("passkey_enabled", .string("true")), ("comment", .string(""))),
        rawRow(4, line: 7, ("account", .string("globex")), ("user", .string("0b9d6c1e-2a3f-4b5c-8d7e-9f0a1b2c3d4e")),
               ("totp_enabled", .string("true")), ("passkey_enabled", .string("true")),
               ("comment", .string("last row without newline"))),
    ]

    @Test func readsGoodFileFromDisk() throws {
        let reader = try openFixture("good.csv")
        #expect(reader.format == .csv)
        #expect(reader.columns == ["account", "user", "totp_enabled", "passkey_enabled", "comment"])
        #expect(try readAllRows(reader) == Self.goodRows)
        // After the end, still the end.
        #expect(try reader.next() == nil)
    }

    @Test(arguments: ManifestFixtures.chunkSizes)
    func readsGoodFileInChunks(chunkSize: Int) throws {
        #expect(try readAllRows(try fixtureReader("good.csv", chunkSize: chunkSize)) == Self.goodRows)
    }

    @Test(arguments: ManifestFixtures.chunkSizes)
    func readsCRLFWithByteOrderMark(chunkSize: Int) throws {
        let reader = try fixtureReader("crlf-bom.csv", chunkSize: chunkSize)
        #expect(reader.columns == ["account", "user", "passkey_enabled"])
        #expect(try readAllRows(reader) == [
            rawRow(1, line: 2, ("account", .string("acme")), ("user", .string("*")), ("passkey_enabled", .string("true"))),
            rawRow(2, line: 3, ("account", .string("ac\r\nme")), ("user", .string("x@y.io")),
                   ("passkey_enabled", .string("false"))),
        ])
    }

    @Test func headerOnlyIsAnEmptyManifest() throws {
        let reader = try openFixture("header-only.csv")
        #expect(reader.columns == ["account", "user", "totp_enabled"])
        #expect(try reader.next() == nil)
    }

    @Test func lastRowWithoutNewlineAndTrailingEmptyCell() throws {
        let reader = try CSVReader(bytes: Array("account,user,totp_enabled,comment\r\nacme,*,true,".utf8))
        #expect(try readAllRows(reader) == [
            rawRow(1, line: 2, ("account", .string("acme")), ("user", .string("*")), ("totp_enabled", .string("true")),
                   ("comment", .string(""))),
        ])
    }

    @Test func quotedEmptyAndQuoteOnlyCells() throws {
        let text = "account,user,totp_enabled,comment\n\"\",\"*\",\"true\",\"\"\"\"\n"
        let reader = try CSVReader(bytes: Array(text.utf8), chunkSize: 1)
        #expect(try readAllRows(reader) == [
            rawRow(1, line: 2, ("account", .string("")), ("user", .string("*")), ("totp_enabled", .string("true")),
                   ("comment", .string("\""))),
        ])
    }

    @Test func customSchemaColumnIsAccepted() throws {
        let schema = SettingsSchema(settings: ["totp_enabled", "passkey_enabled", "sms_enabled"])
        let reader = try CSVReader(bytes: Array("account,user,SMS_Enabled\nacme,*,true\n".utf8), schema: schema)
        #expect(reader.columns == ["account", "user", "sms_enabled"])
        #expect(try readAllRows(reader) == [
            rawRow(1, line: 2, ("account", .string("acme")), ("user", .string("*")), ("sms_enabled", .string("true"))),
        ])
    }
}
