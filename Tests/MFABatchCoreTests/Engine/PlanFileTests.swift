import Foundation
import Testing
@testable import MFABatchCore

/// A plan is a `Codable` document recognised by parsing its first member.
@Suite struct PlanFileTests {
    private let plan = PlanFile(
        runID: UUID(), manifest: "/srv/m.csv", manifestSHA256: String(repeating: "ab", count: 32), format: .csv,
        partial: true, createdAt: Date(milliseconds: 1_700_000_000_123),
        tenants: [PlanFile.Tenant(accountID: UUID(), account: "acme", fingerprint: "f00d:beef")])

    @Test func roundTripsAndStartsWithItsVersion() throws {
        let text = plan.encoded()
        #expect(PlanFile.topLevelMemberNames(Array(text.utf8)).contains("mfa_batch_plan"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("p.plan").path
        try plan.write(to: path)
        #expect(PlanFile.isPlan(path: path))
        let read = try PlanFile.read(path: path)
        #expect(read.runID == plan.runID && read.tenants == plan.tenants && read.partial && read.format == .csv)
        #expect(read.createdAt == plan.createdAt)
    }

    @Test func recognisedByParsingNotByAPrefix() {
        #expect(PlanFile.topLevelMemberNames(Array("\u{FEFF}\n  {\n\t\"a\" : {\"x\": [1, \"]\"]}, \"mfa_batch_plan\" : 1}".utf8))
                == ["a", "mfa_batch_plan"])
        #expect(PlanFile.topLevelMemberNames(Array(#"{"changes": [{"account": "mfa_batch_plan"}]}"#.utf8)) == ["changes"])
        #expect(PlanFile.topLevelMemberNames(Array(#"[{"mfa_batch_plan": 1}]"#.utf8)).isEmpty)
    }

    @Test func aPlanOfAnotherVersionOrMissingAFieldIsRefusedNamingWhy() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("plan-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let newer = directory.appendingPathComponent("newer.plan")
        try Data(plan.encoded().replacingOccurrences(of: "\"mfa_batch_plan\" : 1", with: "\"mfa_batch_plan\" : 2").utf8)
            .write(to: newer)
        #expect(throws: PlanFile.Invalid.self) { try PlanFile.read(path: newer.path) }
        let partial = directory.appendingPathComponent("partial.plan")
        try Data(#"{"mfa_batch_plan": 1, "run_id": "not a uuid"}"#.utf8).write(to: partial)
        do {
            _ = try PlanFile.read(path: partial.path)
            Issue.record("a broken plan was read")
        } catch let invalid as PlanFile.Invalid {
            #expect(invalid.message.contains("run_id") || invalid.message.contains("manifest"))
        }
    }
}
