import Foundation
import Testing
@testable import MFABatchCore

/// Every input kept under `Fixtures/fuzz/TARGET/` — crashers `scripts/fuzz` found
/// (none so far) and the hand-made cases — replayed through the exact code
/// the fuzzer runs (`FuzzTargets`). A crash here takes the test process down, which
/// fails the suite.
@Suite struct FuzzCrasherTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("fuzz")

    @Test(arguments: FuzzTargets.Target.allCases.map(\.rawValue))
    func keptInputsRunClean(target: String) throws {
        let folder = Self.directory.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
            FuzzTargets.run(try #require(FuzzTargets.Target(rawValue: target)), bytes)
        }
    }
}
