import Foundation
import Testing
@testable import MFABatchCore

/// The run's local spool: rows come back per tenant in manifest order, with every
/// field (principals included), whatever the buffering; the display rows in
/// manifest order.
@Suite struct RunSpoolTests {
    @Test func rowsComeBackPerTenantExactlyAsStaged() throws {
        let acme = UUID(), globex = UUID(), key = UUID(), user = UUID()
        // A tiny buffer limit, so chunks are flushed mid-way many times.
        let spool = try RunSpool(bufferLimit: 300)
        var expected: [UUID?: [TenantRow]] = [:]
        for number in 1...500 {
            let account: UUID? = number % 7 == 0 ? nil : (number % 2 == 0 ? acme : globex)
            let principal: Principal? = number % 3 == 0 ? nil : Principal(
                credentialID: "api_key:\(number)", accountID: account ?? acme,
                restrictedToUser: number % 5 == 0 ? user : nil,
                key: number % 4 == 0 ? .jwtKey(kid: "k\(number)") : .apiKey(key))
            let row = TenantRow(
                row: number, account: "acct \(number)", user: "u\(number)@x.test",
                selector: number % 11 == 0 ? .all : .email("u\(number)@x.test"),
                settings: number % 13 == 0 ? nil : SettingBits(mask: 3, values: UInt64(number % 4)),
                failure: number % 9 == 0 ? .init(status: .invalid, error: "bad \"\(number)\"\n", reason: "r") : nil,
                principal: principal)
            expected[account, default: []].append(row)
            try spool.append(SpooledRow(row: row, line: number + 1, comment: number % 2 == 0 ? nil : "c\t\(number)"),
                             accountID: account, slug: account.map { $0 == acme ? "acme" : "globex" },
                             granted: principal != nil)
        }
        let staged = try spool.finish()
        #expect(staged.rowCount == 500)
        #expect(Set(staged.buckets.map(\.accountID)) == [acme, globex, nil])
        for bucket in staged.buckets {
            let rows = try staged.rows(of: bucket)
            #expect(rows.map(\.row) == expected[bucket.accountID])
            #expect(rows.allSatisfy { $0.line == $0.row.row + 1 })
        }
        var seen: [Int] = []
        try staged.forEachDisplayRow { row, line, account, user, comment in
            seen.append(row)
            #expect(line == row + 1 && account == "acct \(row)" && user == "u\(row)@x.test")
            #expect(comment == (row % 2 == 0 ? nil : "c\t\(row)"))
        }
        #expect(seen == Array(1...500))
    }

    @Test func outcomesComeBackByRow() throws {
        let store = try OutcomeStore()
        try store.record([(3, RowVerdict(status: .invalid, error: "e3", reason: "r3")),
                          (1, RowVerdict(status: .changed, usersMatched: 5, usersChanged: 2))])
        try store.record([(2, RowVerdict(status: .notApplied, reason: "not applied", usersMatched: 0))])
        let reader = OutcomeStore.Reader(store)
        #expect(try reader.verdict(row: 1) == RowVerdict(status: .changed, usersMatched: 5, usersChanged: 2))
        #expect(try reader.verdict(row: 2) == RowVerdict(status: .notApplied, reason: "not applied", usersMatched: 0))
        #expect(try reader.verdict(row: 3) == RowVerdict(status: .invalid, error: "e3", reason: "r3"))
        #expect(try reader.verdict(row: 4) == nil)
    }
}
