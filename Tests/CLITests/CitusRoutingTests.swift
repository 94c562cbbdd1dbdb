import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 14, item 4: on Citus, every statement the tool issues inside a tenant's
/// transaction is routed to a single shard — of the tenant's shard group — and the
/// tenant's transaction never touches another.
///
/// The built binary runs an apply, a dry run, a plan and `apply PLAN` with
/// PostgreSQL's `auto_explain` loaded into its sessions (through `PGOPTIONS`), so the
/// coordinator logs the plan of every statement it executes for the tool, with the
/// parameters it really had. `scripts/with-citus` puts the virtual transaction id
/// and the application name in each log line, so the plans group into
/// transactions; a tenant transaction is one that called `mfa_batch_enter_tenant`.
/// Each of its plans that touches a distributed or reference table must be a single
/// Citus task (`Task Count: 1`, no subplan, no INSERT … SELECT through the
/// coordinator), and the shards its tasks name must all be of one shard group.
@Suite struct CitusRoutingTests {
    struct Plan {
        var transaction: String
        /// "Query Text: …" (the SQL, over as many lines as it has), then the plan.
        var text: String
    }

    /// Plans the coordinator logged for backends named `appNames`, in log order.
    static func plans(log: String, appNames: Set<String>) -> [Plan] {
        var plans: [Plan] = []
        var current: Plan?
        // `%m [%p] %v %a: LOG:  duration: … ms  plan:` then tab-indented lines.
        let header = #/^\S+ \S+ \S+ \[(\d+)\] (\S*) (\S*): LOG:  duration: [0-9.]+ ms  plan:$/#
        for line in log.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("\t"), current != nil {
                current?.text += line.dropFirst() + "\n"
                continue
            }
            if let plan = current { plans.append(plan) }
            current = nil
            if let match = line.wholeMatch(of: header), appNames.contains(String(match.output.3)) {
                current = Plan(transaction: "\(match.output.1) \(match.output.2)", text: "")
            }
        }
        if let plan = current { plans.append(plan) }
        return plans
    }

    @Test(.enabled(if: TestDatabase.isCitus, "needs the Citus cluster of scripts/with-citus"))
    func everyStatementOfATenantTransactionGoesToOneShardOfTheTenantsShardGroup() throws {
        let logPath = try #require(ProcessInfo.processInfo.environment["MFA_TEST_SERVER_LOG"],
                                   "MFA_TEST_SERVER_LOG (the coordinator's log) is not set")
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let tenants = try ["alpha", "bravo", "charlie", "delta"].map {
                try UnattendedFixture.seed(connection, slug: $0, users: 3)
            }
            let credentials = try UnattendedFixture.credentials(harness, tenants, in: directory)
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("""
                account,user,totp_enabled,passkey_enabled
                alpha,*,true,
                alpha,u1@alpha.test,,true
                bravo,\(tenants[1].users[0].id.uuidString),true,true
                charlie,*,,true
                charlie,nobody@charlie.test,true,
                delta,u2@delta.test,true,
                nowhere,*,true,

                """.utf8).write(to: manifest)
            let plan = directory.appendingPathComponent("p.json")
            let environment = ["PGOPTIONS": "-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0"]
            var appNames: Set<String> = []
            for arguments in [["apply", manifest.path, "--dry-run"], ["plan", manifest.path, "--out", plan.path],
                              ["apply", plan.path], ["apply", manifest.path, "--partial"]] {
                let tool = try ToolProcess(arguments + ["--credentials", credentials.path, "--quiet"],
                                           settings: harness.toolSettings, environment: environment)
                let exit = try tool.wait()
                #expect(exit.status == 1, "\(arguments): \(exit.stderr)")
                appNames.insert(tool.appName)
            }
            // The partial apply changed what it could: the statements really ran.
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar != "0")

            let shardIndex = Dictionary(uniqueKeysWithValues: try connection.query(
                "SELECT shardid::text, coalesce(shardminvalue, 'reference') FROM pg_dist_shard").rows.map { ($0[0] ?? "", $0[1] ?? "") })
            let shardName = #/\b(?:users|jwt_keys|api_keys|mfa_audit|run_outcomes)_(\d+)\b/#
            let plans = Self.plans(log: try String(contentsOfFile: logPath, encoding: .utf8), appNames: appNames)
            let tenantTransactions = Set(plans.filter { $0.text.contains("mfa_batch_enter_tenant(") }.map(\.transaction))
            // One transaction per decided tenant and run (alpha, bravo, charlie, delta; four runs).
            #expect(tenantTransactions.count >= 16, "tenant transactions seen: \(tenantTransactions.count)")

            var seen: Set<String> = []
            for transaction in tenantTransactions {
                var groups: Set<String> = []
                for plan in plans where plan.transaction == transaction {
                    guard plan.text.contains("Custom Scan (Citus") else { continue }
                    let counts = plan.text.matches(of: #/Task Count: (\d+)/#).map { String($0.output.1) }
                    #expect(!counts.isEmpty && counts.allSatisfy { $0 == "1" }, "not a single task:\n\(plan.text)")
                    #expect(!plan.text.contains("Distributed Subplan"), "a subplan:\n\(plan.text)")
                    #expect(!plan.text.contains("INSERT/SELECT method"), "INSERT … SELECT through the coordinator:\n\(plan.text)")
                    for match in plan.text.matches(of: shardName) {
                        groups.insert(shardIndex[String(match.output.1)] ?? "unknown shard \(match.output.1)")
                    }
                    for (name, marker) in [("users", "FROM users u LEFT JOIN unnest"), ("update", "UPDATE users u SET"),
                                           ("audit", "INSERT INTO mfa_audit"), ("outcomes", "INSERT INTO run_outcomes"),
                                           ("policy", "SELECT mfa_required FROM accounts"),
                                           ("revocation", "FROM api_keys"), ("fingerprint", "md5(")]
                    where plan.text.contains(marker) {
                        seen.insert(name)
                    }
                }
                #expect(groups.count == 1, "transaction \(transaction) touched shard groups \(groups.sorted())")
            }
            #expect(seen == ["users", "update", "audit", "outcomes", "policy", "revocation", "fingerprint"],
                    "distributed statements seen in tenant transactions: \(seen.sorted())")
        }
    }
}
