import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 6, "Must show": unattended runs as cron / systemd run them. The built
/// binary is a child process, paused deterministically inside a tenant's
/// transaction (`TenantPause`), then signalled, killed or cut off from its database.
@Suite struct UnattendedRunTests {
    /// Three tenants applied in this order (manifest order of their first row):
    /// alpha (rows 1, 5), bravo (rows 2, 4), charlie (row 3). The pause is in bravo.
    struct Fixture {
        var alpha: SeededTenant
        var bravo: SeededTenant
        var charlie: SeededTenant
        var manifest: URL
        var credentials: URL
        var directory: URL

        /// Report row numbers of each tenant.
        static let alphaRows = [1, 5], bravoRows = [2, 4], charlieRows = [3]

        static func make(_ harness: CLIHarness, _ connection: Connection) throws -> Fixture {
            let directory = try CLIHarness.temporaryDirectory()
            let alpha = try UnattendedFixture.seed(connection, slug: "alpha", users: 2)
            let bravo = try UnattendedFixture.seed(connection, slug: "bravo", users: 3)
            let charlie = try UnattendedFixture.seed(connection, slug: "charlie", users: 2)
            let credentials = try UnattendedFixture.credentials(harness, [alpha, bravo, charlie], in: directory)
            let manifest = directory.appendingPathComponent("nightly.csv")
            try Data("""
                account,user,totp_enabled,passkey_enabled,comment
                alpha,*,true,,enforce alpha
                bravo,*,true,,enforce bravo
                charlie,*,true,,enforce charlie
                bravo,u1@bravo.test,,true,passkey pilot
                alpha,u2@alpha.test,,true,passkey pilot

                """.utf8).write(to: manifest)
            return Fixture(alpha: alpha, bravo: bravo, charlie: charlie, manifest: manifest,
                           credentials: credentials, directory: directory)
        }

        func applyArguments(report: URL, job: String? = nil) -> [String] {
            ["apply", manifest.path, "--credentials", credentials.path, "--report", report.path, "--quiet",
             // One tenant at a time: these tests stop a run at a known tenant.
             "--parallel", "1"]
                + (job.map { ["--job", $0] } ?? [])
        }

        /// Every user of `tenant` has exactly the state a full apply gives (`applied`),
        /// or exactly the seeded state (all false).
        func state(_ connection: Connection, _ tenant: SeededTenant) throws -> TenantState {
            let current = try UnattendedFixture.settings(connection, tenant.id)
            let passkeyUser: String? = tenant.slug == "bravo" ? "u1@bravo.test" : tenant.slug == "alpha" ? "u2@alpha.test" : nil
            var applied = true, untouched = true
            for user in tenant.users {
                let value = current[user.id]
                let wantPasskey = user.email == passkeyUser ? "t" : "f"
                if value?.totp != "t" || value?.passkey != wantPasskey { applied = false }
                if value?.totp != "f" || value?.passkey != "f" { untouched = false }
            }
            return applied ? .applied : untouched ? .untouched : .mixed
        }

        /// Audit rows written for `tenant` (by any run).
        func auditCount(_ connection: Connection, _ tenant: SeededTenant) throws -> Int {
            Int(try connection.query("SELECT count(*) FROM mfa_audit WHERE account_id = $1", [tenant.id]).scalar ?? "") ?? -1
        }

        /// Audit rows a full apply writes: one per user and deciding row. The `*` row
        /// changes every user; in alpha and bravo one user's passkey is decided by
        /// their own row ("passkey pilot"), a second audit row for that user.
        static func fullAudit(_ tenant: SeededTenant) -> Int {
            tenant.users.count + (tenant.slug == "charlie" ? 0 : 1)
        }
    }

    enum TenantState: Equatable { case applied, untouched, mixed }

    private func statuses(_ report: [String: Any], _ rows: [Int]) -> [String] {
        let byRow = Dictionary(UnattendedFixture.rows(report).compactMap { row -> (Int, String)? in
            guard let number = (row["row"] as? NSNumber)?.intValue else { return nil }
            return (number, row["status"] as? String ?? "?")
        }, uniquingKeysWith: { first, _ in first })
        return rows.map { byRow[$0] ?? "missing" }
    }

    private func rowNumbers(_ report: [String: Any]) -> [Int] {
        UnattendedFixture.rows(report).map { ($0["row"] as? NSNumber)?.intValue ?? -1 }
    }

    private func outcome(_ connection: Connection, run: String?) throws -> String? {
        try connection.query("SELECT outcome FROM job_runs WHERE id = $1::uuid", [run ?? ""]).scalar
    }

    // MARK: 1. SIGTERM / SIGINT mid-run

    struct Interrupt: Sendable, CustomTestStringConvertible {
        var signal: Int32
        var name: String
        var exitCode: Int32
        var testDescription: String { name }
    }

    @Test(arguments: [Interrupt(signal: SIGTERM, name: "SIGTERM", exitCode: 143),
                      Interrupt(signal: SIGINT, name: "SIGINT", exitCode: 130)])
    func aSignalMidTenantFinishesThatTenantAndReportsTheRestNotApplied(_ interrupt: Interrupt) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try Fixture.make(harness, connection)
            defer { try? FileManager.default.removeItem(at: fixture.directory) }
            let reportURL = fixture.directory.appendingPathComponent("r.json")
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: fixture.bravo.id)
            let tool = try ToolProcess(fixture.applyArguments(report: reportURL), settings: harness.toolSettings)
            try pause.waitUntilPaused(tool, observer: connection)
            #expect(try fixture.state(connection, fixture.alpha) == .applied)

            tool.send(interrupt.signal)
            // The tool acknowledges the signal on stderr after cancelling the statement
            // bravo waits in: wait for that (bounded; a time-out fails the test) before
            // bravo is let go.
            try waitUntil("the tool acknowledges \(interrupt.name)", seconds: 10) { tool.stderrSoFar.contains(interrupt.name) }
            pause.release()
            let exit = try tool.wait()

            #expect(!exit.signalled, "killed by the signal instead of handling it: \(exit.stderr)")
            #expect(exit.status == interrupt.exitCode, "\(exit.stderr)")
            let report = try UnattendedFixture.report(reportURL)
            #expect(rowNumbers(report) == [1, 2, 3, 4, 5])
            #expect(statuses(report, Fixture.alphaRows) == ["changed", "changed"])
            #expect(statuses(report, Fixture.charlieRows) == ["not_applied"])

            // bravo, cancelled while waiting inside its transaction, rolled back whole.
            #expect(try fixture.state(connection, fixture.bravo) == .untouched)
            #expect(statuses(report, Fixture.bravoRows) == ["not_applied", "not_applied"])
            #expect(try fixture.auditCount(connection, fixture.bravo) == 0)
            #expect(try fixture.state(connection, fixture.alpha) == .applied)
            #expect(try fixture.auditCount(connection, fixture.alpha) == Fixture.fullAudit(fixture.alpha))
            #expect(try fixture.state(connection, fixture.charlie) == .untouched)
            #expect(try fixture.auditCount(connection, fixture.charlie) == 0)

            let summary = report["summary"] as? [String: Any] ?? [:]
            #expect((summary["rows"] as? NSNumber)?.intValue == 5)
            #expect((summary["not_applied"] as? NSNumber)?.intValue == 3)
            let tenants = report["tenants"] as? [[String: Any]] ?? []
            #expect(tenants.first { $0["account"] as? String == "charlie" }?["outcome"] as? String == "rolled_back")
            #expect(try outcome(connection, run: UnattendedFixture.runID(report)) == "interrupted")
        }
    }

    // MARK: 2. kill -9 mid-run, then the same manifest again

    @Test func killedMidTenantCommitsNothingThereAndARerunConvergesWithOneAuditRowPerChange() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try Fixture.make(harness, connection)
            defer { try? FileManager.default.removeItem(at: fixture.directory) }
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: fixture.bravo.id)
            let tool = try ToolProcess(fixture.applyArguments(report: fixture.directory.appendingPathComponent("killed.json")),
                                       settings: harness.toolSettings)
            try pause.waitUntilPaused(tool, observer: connection)
            tool.send(SIGKILL)
            let killed = try tool.wait()
            #expect(killed.signalled && killed.status == SIGKILL)
            pause.release()
            try waitUntil("the killed run's backends are gone") { try backendCount(connection, appName: tool.appName) == 0 }

            #expect(try fixture.state(connection, fixture.alpha) == .applied)
            #expect(try fixture.state(connection, fixture.bravo) == .untouched)
            #expect(try fixture.state(connection, fixture.charlie) == .untouched)
            #expect(try fixture.auditCount(connection, fixture.bravo) == 0)
            let killedRun = try #require(try connection.query("SELECT id FROM job_runs").scalar)

            // `runs` tells the operator the run died (it does not stay `running`).
            let runs = try harness.run(["runs", "--json"])
            #expect(runs.status == 0, "\(runs.stderr)")
            let listed = runs.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(listed.count == 1)
            #expect(listed.first?["id"] as? String == killedRun)
            #expect(listed.first?["outcome"] as? String == "died")

            // The same manifest again: everything converges, nothing is applied twice.
            let reportURL = fixture.directory.appendingPathComponent("rerun.json")
            let rerun = try harness.run(fixture.applyArguments(report: reportURL))
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let report = try UnattendedFixture.report(reportURL)
            #expect(statuses(report, Fixture.alphaRows) == ["unchanged", "unchanged"])
            #expect(statuses(report, Fixture.bravoRows) == ["changed", "changed"])
            #expect(statuses(report, Fixture.charlieRows) == ["changed"])
            for tenant in [fixture.alpha, fixture.bravo, fixture.charlie] {
                #expect(try fixture.state(connection, tenant) == .applied, "\(tenant.slug)")
            }
            let rerunID = try #require(UnattendedFixture.runID(report))

            // Exactly one audit row per real change (user, setting), false → true,
            // alpha's from the killed run and the rest from the rerun.
            let changes = try connection.query("""
                SELECT a.user_id, k.key, count(*), bool_and(a.before ->> k.key = 'false' AND k.value = 'true'::jsonb),
                       string_agg(a.run_id::text, ',')
                FROM mfa_audit a CROSS JOIN LATERAL jsonb_each(a.after) k
                WHERE a.before -> k.key IS DISTINCT FROM k.value
                GROUP BY a.user_id, k.key
                """).rows
            var expected: Set<String> = []
            for tenant in [fixture.alpha, fixture.bravo, fixture.charlie] {
                for user in tenant.users { expected.insert("\(user.id.uuidString.lowercased()) totp_enabled") }
            }
            expected.insert("\(fixture.bravo.users[0].id.uuidString.lowercased()) passkey_enabled")
            expected.insert("\(fixture.alpha.users[1].id.uuidString.lowercased()) passkey_enabled")
            #expect(Set(changes.map { "\($0[0] ?? "") \($0[1] ?? "")" }) == expected)
            for change in changes {
                #expect(change[2] == "1", "audit rows for \(change[0] ?? "") \(change[1] ?? ""): \(change[2] ?? "")")
                #expect(change[3] == "t")
            }
            let byRun = try connection.query("SELECT account_id, run_id, count(*) FROM mfa_audit GROUP BY 1, 2").rows
            for row in byRun {
                let isAlpha = row[0] == fixture.alpha.id.uuidString.lowercased()
                #expect(row[1] == (isAlpha ? killedRun : rerunID))
            }

            let after = try harness.run(["runs", "--json"])
            let outcomes = Dictionary(after.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let id = object["id"] as? String, let outcome = object["outcome"] as? String else { return nil }
                return (id, outcome)
            }, uniquingKeysWith: { first, _ in first })
            #expect(outcomes == [killedRun: "died", rerunID: "succeeded"])
        }
    }

    // MARK: 3. The tool's connection is terminated mid-run

    @Test func terminatedConnectionMidTenantExits3WithAReportAndNothingHalfApplied() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try Fixture.make(harness, connection)
            defer { try? FileManager.default.removeItem(at: fixture.directory) }
            let reportURL = fixture.directory.appendingPathComponent("r.json")
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: fixture.bravo.id)
            let tool = try ToolProcess(fixture.applyArguments(report: reportURL), settings: harness.toolSettings)
            try pause.waitUntilPaused(tool, observer: connection)
            #expect(try TenantPause.terminateWaiting(connection, appName: tool.appName) == 1)
            pause.release()
            let exit = try tool.wait()

            #expect(!exit.signalled)
            #expect(exit.status == 3, "\(exit.stderr)")
            let report = try UnattendedFixture.report(reportURL)
            #expect(rowNumbers(report) == [1, 2, 3, 4, 5])
            #expect(statuses(report, Fixture.alphaRows) == ["changed", "changed"])
            #expect(statuses(report, Fixture.bravoRows).allSatisfy { $0 == "not_applied" || $0 == "error" },
                    "\(statuses(report, Fixture.bravoRows))")
            #expect(statuses(report, Fixture.charlieRows) == ["not_applied"])
            #expect(try fixture.state(connection, fixture.alpha) == .applied)
            #expect(try fixture.auditCount(connection, fixture.alpha) == Fixture.fullAudit(fixture.alpha))
            #expect(try fixture.state(connection, fixture.bravo) == .untouched)
            #expect(try fixture.auditCount(connection, fixture.bravo) == 0)
            #expect(try fixture.state(connection, fixture.charlie) == .untouched)
            #expect(try fixture.auditCount(connection, fixture.charlie) == 0)
            // `runs --help` names the outcome of a run that lost its database.
            #expect(try outcome(connection, run: UnattendedFixture.runID(report)) == "database_error")
        }
    }

    // MARK: 4. --job: one at a time, and a killed holder never blocks the next

    @Test func aSecondRunOfARunningJobExits4AtOnceAndAKilledHolderDoesNotBlockTheNext() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try Fixture.make(harness, connection)
            defer { try? FileManager.default.removeItem(at: fixture.directory) }
            let pause = try TenantPause(settings: harness.settings, installOn: connection, account: fixture.bravo.id)
            let first = try ToolProcess(
                fixture.applyArguments(report: fixture.directory.appendingPathComponent("first.json"), job: "nightly"),
                settings: harness.toolSettings)
            try pause.waitUntilPaused(first, observer: connection)
            let holder = try #require(try connection.query("SELECT id FROM job_runs WHERE job = 'nightly'").scalar)

            let second = try ToolProcess(
                fixture.applyArguments(report: fixture.directory.appendingPathComponent("second.json"), job: "nightly"),
                settings: harness.toolSettings)
            let refused = try second.wait(seconds: 15)
            // It did not wait for the holder: that one is still paused in bravo.
            #expect(first.isRunning)
            #expect(try TenantPause.waiting(connection, appName: first.appName) == 1)
            #expect(refused.status == 4, "\(refused.stderr)")
            #expect(refused.stderr.contains("nightly"))
            #expect(refused.stderr.contains(holder), "\(refused.stderr)")
            #expect(try connection.query("SELECT count(*) FROM job_runs WHERE outcome = 'running'").scalar == "1")

            first.send(SIGKILL)
            _ = try first.wait()
            pause.release()
            try waitUntil("the killed holder's backends are gone") { try backendCount(connection, appName: first.appName) == 0 }

            let reportURL = fixture.directory.appendingPathComponent("third.json")
            let third = try harness.run(fixture.applyArguments(report: reportURL, job: "nightly"))
            #expect(third.status == 0, "\(third.stderr)")
            for tenant in [fixture.alpha, fixture.bravo, fixture.charlie] {
                #expect(try fixture.state(connection, tenant) == .applied, "\(tenant.slug)")
            }
            let report = try UnattendedFixture.report(reportURL)
            #expect((report["run"] as? [String: Any])?["job"] as? String == "nightly")
            #expect(try outcome(connection, run: UnattendedFixture.runID(report)) == "succeeded")
            #expect(try outcome(connection, run: holder) == "died")
        }
    }

    // MARK: 5. Four overlapping runs at once

    /// Four runs started together on alpha and bravo, with opposite values run to
    /// run (run i sets TOTP to `i even` on everyone, named-user exceptions the other
    /// way; even runs take alpha first, odd runs bravo first). alpha's first update
    /// is held until all four are in flight, so they really overlap. Checks that
    /// every run finishes cleanly and that its report matches its audit rows.
    private func fourOverlappingRuns(_ harness: CLIHarness, _ connection: Connection, in directory: URL) throws
        -> [SeededTenant] {
        let alpha = try UnattendedFixture.seed(connection, slug: "alpha", users: 4)
        let bravo = try UnattendedFixture.seed(connection, slug: "bravo", users: 4)
        let credentials = try UnattendedFixture.credentials(harness, [alpha, bravo], in: directory)
        var tools: [ToolProcess] = []
        var reports: [URL] = []
        let pause = try TenantPause(settings: harness.settings, installOn: connection, account: alpha.id)
        for index in 0..<4 {
            let value = index % 2 == 0, other = !value
            let alphaRows = [
                "alpha,*,\(value),,run \(index)",
                "alpha,u1@alpha.test,,\(other),run \(index)",
                "alpha,u2@alpha.test,\(other),\(value),run \(index)",
            ]
            let bravoRows = [
                "bravo,*,\(value),\(other),run \(index)",
                "bravo,u3@bravo.test,\(other),,run \(index)",
            ]
            let rows = index % 2 == 0 ? alphaRows + bravoRows : bravoRows + alphaRows
            let manifest = directory.appendingPathComponent("run\(index).csv")
            try Data(("account,user,totp_enabled,passkey_enabled,comment\n" + rows.joined(separator: "\n") + "\n").utf8)
                .write(to: manifest)
            let report = directory.appendingPathComponent("run\(index).json")
            reports.append(report)
            tools.append(try ToolProcess(["apply", manifest.path, "--credentials", credentials.path,
                                          "--report", report.path, "--quiet"], settings: harness.toolSettings))
        }
        // One run waits in the pause, the other three behind it (on a lock, whichever the tool takes).
        do {
            try waitUntil("all four runs wait on alpha") {
                for tool in tools where !tool.isRunning {
                    throw UnattendedTimeout(description: "a run ended before alpha was released: \(tool.stderrSoFar)")
                }
                return try lockWaiters(connection, appNames: tools.map(\.appName)) == 4
            }
        } catch let timeout as UnattendedTimeout {
            throw UnattendedTimeout(description: "\(timeout)\n" + (try activity(connection, appNames: tools.map(\.appName))))
        }
        pause.release()

        for (index, tool) in tools.enumerated() {
            let exit = try tool.wait()
            #expect(exit.status == 0, "run \(index): \(exit.stderr)")
            let report = try UnattendedFixture.report(reports[index])
            let rows = UnattendedFixture.rows(report)
            #expect(rows.count == 5)
            #expect(rows.allSatisfy { ["changed", "unchanged"].contains($0["status"] as? String ?? "") },
                    "run \(index): \(rows.map { $0["status"] ?? "" })")

            // The report is true for what the run did: its users_changed (summary, and
            // summed over tenants) is its number of users with audit rows.
            let runID = try #require(UnattendedFixture.runID(report))
            let audited = try connection.query(
                "SELECT count(DISTINCT (account_id, user_id)) FROM mfa_audit WHERE run_id = $1::uuid", [runID]).scalar
            let summary = report["summary"] as? [String: Any] ?? [:]
            #expect(String((summary["users_changed"] as? NSNumber)?.intValue ?? -1) == audited, "run \(index)")
            let tenants = report["tenants"] as? [[String: Any]] ?? []
            let reported = tenants.reduce(0) { $0 + (($1["users_changed"] as? NSNumber)?.intValue ?? 0) }
            #expect(String(reported) == audited, "run \(index)")
            for tenant in tenants {
                let users = try connection.query(
                    "SELECT count(DISTINCT user_id) FROM mfa_audit WHERE run_id = $1::uuid AND account_id = $2::uuid",
                    [runID, tenant["account_id"] as? String ?? ""]).scalar
                #expect(String((tenant["users_changed"] as? NSNumber)?.intValue ?? -1) == users,
                        "run \(index) tenant \(tenant["account"] ?? "")")
                #expect(tenant["outcome"] as? String == "committed")
            }
        }
        return [alpha, bravo]
    }

    /// Walks the audit trail in `order`: per user and setting, each row's `before`
    /// must be the previous row's `after` (the seeded `false` first), and the last
    /// `after` what the user has now. Returns the breaks.
    private func auditChainBreaks(_ connection: Connection, _ tenants: [SeededTenant], order: String) throws -> [String] {
        var breaks: [String] = []
        var state: [String: [String: Bool]] = [:]
        for tenant in tenants {
            for user in tenant.users {
                state[user.id.uuidString.lowercased()] = ["totp_enabled": false, "passkey_enabled": false]
            }
        }
        let audit = try connection.query(
            "SELECT user_id, before::text, after::text, run_id, changed_at, xmin::text FROM mfa_audit ORDER BY \(order)").rows
        if audit.isEmpty { breaks.append("no audit rows") }
        for row in audit {
            let user = row[0] ?? ""
            let before = try JSONSerialization.jsonObject(with: Data((row[1] ?? "").utf8)) as? [String: Bool] ?? [:]
            let after = try JSONSerialization.jsonObject(with: Data((row[2] ?? "").utf8)) as? [String: Bool] ?? [:]
            if Set(before.keys) != Set(after.keys) || after.isEmpty { breaks.append("odd audit row \(row)") }
            if before == after { breaks.append("user \(user): audit row without a change (run \(row[3] ?? ""))") }
            for (setting, value) in before where state[user]?[setting] != value {
                breaks.append("user \(user) \(setting): before=\(value) but the previous after was "
                    + "\(state[user]?[setting].map(String.init) ?? "nil") (run \(row[3] ?? ""), changed_at \(row[4] ?? ""), xid \(row[5] ?? ""))")
            }
            for (setting, value) in after { state[user]?[setting] = value }
        }
        for tenant in tenants {
            let current = try UnattendedFixture.settings(connection, tenant.id)
            for user in tenant.users {
                let chained = state[user.id.uuidString.lowercased()]
                let expected = (chained?["totp_enabled"] == true ? "t" : "f", chained?["passkey_enabled"] == true ? "t" : "f")
                if let now = current[user.id], now.totp != expected.0 || now.passkey != expected.1 {
                    breaks.append("\(user.email) is (\(now.totp ?? "-"), \(now.passkey ?? "-")) but its audit trail ends at \(expected)")
                }
            }
        }
        return breaks
    }

    @Test func fourConcurrentOverlappingRunsLoseNoUpdateAndEachReportMatchesItsAudit() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let tenants = try fourOverlappingRuns(harness, connection, in: directory)
            // No lost update, in the order the changes were really applied: a tenant's
            // transactions are serialized and the audit rows' inserting transaction
            // ids (xmin) follow that order.
            let breaks = try auditChainBreaks(connection, tenants, order: "xmin::text::bigint, changed_at, id")
            #expect(breaks.isEmpty, "\(breaks.joined(separator: "\n"))")
        }
    }

    /// The audit trail read by its own clock: ordered by `changed_at` (id as tie-break)
    /// it must tell the same story.
    @Test
    func auditRowsOrderedByChangedAtFollowTheOrderOfTheChanges() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let tenants = try fourOverlappingRuns(harness, connection, in: directory)
            let breaks = try auditChainBreaks(connection, tenants, order: "changed_at, id")
            #expect(breaks.isEmpty, "\(breaks.joined(separator: "\n"))")
        }
    }

    // MARK: 6. runs / runs show --report

    @Test func runsShowReExportsTheReportByteForByteAndRunsListsNewestFirst() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let alpha = try UnattendedFixture.seed(connection, slug: "alpha", users: 3)
            let credentials = try UnattendedFixture.credentials(harness, [alpha], in: directory)
            let first = directory.appendingPathComponent("first.jsonl")
            try Data(#"""
                {"account": "alpha", "user": "*", "totp_enabled": true, "comment": "enforce, \"all\"\nnow — été"}
                {"account": "alpha", "user": "U1@ALPHA.TEST", "totp_enabled": false, "comment": "service"}
                {"account": "alpha", "user": "nobody@alpha.test", "passkey_enabled": true}
                {"account": "alpha", "user": "u2@alpha.test", "passkey_enabled": "yes"}

                """#.utf8).write(to: first)
            let second = directory.appendingPathComponent("second.csv")
            try Data("account,user,passkey_enabled\nalpha,*,true\n".utf8).write(to: second)

            func apply(_ manifest: URL, _ name: String, extra: [String]) throws -> (status: Int32, id: String) {
                let output = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet",
                                              "--report", directory.appendingPathComponent("\(name).json").path,
                                              "--report", directory.appendingPathComponent("\(name).csv").path] + extra)
                let report = try UnattendedFixture.report(directory.appendingPathComponent("\(name).json"))
                return (output.status, try #require(UnattendedFixture.runID(report), "\(output.stderr)"))
            }
            let failed = try apply(first, "a", extra: ["--partial", "--job", "weekly"])
            #expect(failed.status == 1)
            let succeeded = try apply(second, "c", extra: [])
            #expect(succeeded.status == 0)

            for (id, original, copy) in [(failed.id, "a", "b"), (succeeded.id, "c", "d")] {
                let shown = try harness.run(["runs", "show", id, "--quiet",
                                             "--report", directory.appendingPathComponent("\(copy).json").path,
                                             "--report", directory.appendingPathComponent("\(copy).csv").path])
                #expect(shown.status == 0, "\(shown.stderr)")
                for ext in ["json", "csv"] {
                    let before = try Data(contentsOf: directory.appendingPathComponent("\(original).\(ext)"))
                    let again = try Data(contentsOf: directory.appendingPathComponent("\(copy).\(ext)"))
                    #expect(before == again, "runs show \(id) --report .\(ext) differs:\n\(String(decoding: before, as: UTF8.self))\n---\n\(String(decoding: again, as: UTF8.self))")
                }
            }

            let listed = try harness.run(["runs", "--limit", "5"])
            #expect(listed.status == 0, "\(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            try #require(lines.count == 3, "\(listed.stdout)")
            #expect(lines[0].first == "id")
            let outcomeColumn = try #require(lines[0].firstIndex(of: "outcome"))
            #expect(lines[1].first == succeeded.id)
            #expect(lines[1][outcomeColumn] == "succeeded")
            #expect(lines[2].first == failed.id)
            #expect(lines[2][outcomeColumn] == "rows_failed")
            #expect(lines[2].contains("weekly"))

            let newest = try harness.run(["runs", "--limit", "1"])
            #expect(newest.stdout.split(separator: "\n").count == 2)
            #expect(newest.stdout.contains(succeeded.id) && !newest.stdout.contains(failed.id))
        }
    }
}
