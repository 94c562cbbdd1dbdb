import Foundation
import Testing
@testable import MFABatchCore

/// The user and account of a row that failed its schema check still tie it to a
/// tenant and user (without --partial the tenant commits nothing; with it, `*`
/// rows leave that user alone), whatever whitespace was pasted around them.
@Suite struct FieldSyntaxTests {
    @Test func legibleUserIgnoresUnicodeSpacesAndCase() {
        #expect(FieldSyntax.legibleUser("\u{A0}Alice@Example.COM\u{3000}") == .email("alice@example.com"))
        // Only ASCII letters are folded here; the database's lower() folds the rest, as
        // its unique index does (Swift's case mapping differs from it: İ → i̇ here).
        #expect(FieldSyntax.legibleUser("\t ZOË@globex.io ") == .email("zoË@globex.io"))
        #expect(FieldSyntax.legibleUser(" 2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6F\u{A0}")
            == .id(UUID(uuidString: "2F1C8A5E-3B7D-4C2A-9E6F-1A2B3C4D5E6F")!))
        #expect(FieldSyntax.legibleUser("bob") == nil)
        #expect(FieldSyntax.legibleUser("\u{A0}") == nil)
    }

    @Test func legibleAccountIgnoresUnicodeSpaces() {
        #expect(FieldSyntax.legibleAccount("acme\u{A0}") == .slug("acme"))
        #expect(FieldSyntax.legibleAccount("\u{2003}globex\t") == .slug("globex"))
        #expect(FieldSyntax.legibleAccount("Acme") == nil)
        #expect(FieldSyntax.legibleAccount("") == nil)
    }
}
