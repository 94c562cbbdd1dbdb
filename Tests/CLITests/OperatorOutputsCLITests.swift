import Foundation
import Postgres
import Testing
import TestSupport

/// `--metrics` and `--report PATH.html` through the built binary.
@Suite struct OperatorOutputsCLITests {
    private func metrics(_ url: URL) throws -> [PrometheusTextFormat.Sample] {
        try PrometheusTextFormat.parse(String(contentsOf: url, encoding: .utf8))
    }

    @Test func metricsAreWrittenAfterARunAndAfterRunsThatFailed() throws {
        try SeededTenants.with { harness, _, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\na,*,true\nb,*,true\nc,nobody@c.test,true\n".utf8).write(to: manifest)
            let prom = directory.appendingPathComponent("mfa-batch.prom")
            let run = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--quiet",
                                       "--job", "nightly", "--metrics", prom.path])
            #expect(run.status == 1, "\(run.stderr)")
            var samples = try metrics(prom)
            let job = ["job": "nightly"]
            #expect(samples.value("last_run_exit_code", job) == 1)
            #expect(samples.value("last_run_rows", ["job": "nightly", "status": "changed"]) == 2)
            #expect(samples.value("last_run_rows", ["job": "nightly", "status": "invalid"]) == 1)
            #expect(samples.value("last_run_users_changed", job) == 4)
            #expect(samples.value("last_run_tenants_committed", job) == 2)
            #expect(samples.value("last_run_tenants_rolled_back", job) == 1)
            let start = try #require(samples.value("last_run_start_timestamp_seconds", job))
            let end = try #require(samples.value("last_run_end_timestamp_seconds", job))
            #expect(abs(start - Date().timeIntervalSince1970) < 120 && end >= start)
            #expect(abs((samples.value("last_run_duration_seconds", job) ?? -1) - (end - start)) < 0.002)
            let mode = try FileManager.default.attributesOfItem(atPath: prom.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o644)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".") }.isEmpty)

            // A dry run without --job: the label is there, empty.
            #expect(try harness.run(["apply", manifest.path, "--dry-run", "--credentials", credentials.path, "--quiet",
                                     "--metrics", prom.path]).status == 1)
            samples = try metrics(prom)
            #expect(samples.value("last_run_info", ["job": "", "mode": "dry-run", "version": try #require(
                samples.first { $0.name == "mfa_batch_last_run_info" }?.labels["version"])]) == 1)

            // The database unreachable: exit 3, and the file says so.
            let unreachable = try harness.run(["apply", manifest.path, "--quiet", "--job", "nightly", "--metrics", prom.path,
                                               "--database-url", "postgresql:///x?host=/nonexistent&connect_timeout=2"])
            #expect(unreachable.status == 3)
            samples = try metrics(prom)
            #expect(samples.value("last_run_exit_code", job) == 3)
            #expect(samples.value("last_run_rows", ["job": "nightly", "status": "changed"]) == 0)

            // An unusable manifest: exit 2.
            let broken = directory.appendingPathComponent("broken.csv")
            try Data("acount,user,totp_enabled\na,*,true\n".utf8).write(to: broken)
            let refused = try harness.run(["apply", broken.path, "--quiet", "--job", "nightly", "--metrics", prom.path])
            #expect(refused.status == 2 && refused.stderr.contains("did you mean account?"), "\(refused.stderr)")
            #expect(try metrics(prom).value("last_run_exit_code", job) == 2)

            // A metrics path that cannot be written is refused before anything runs.
            let nowhere = directory.appendingPathComponent("missing/dir/m.prom")
            let bad = try harness.run(["apply", manifest.path, "--credentials", credentials.path, "--metrics", nowhere.path])
            #expect(bad.status == 2, "\(bad.stderr)")
            let metricsAsManifest = try harness.run(["apply", manifest.path, "--metrics", manifest.path])
            #expect(metricsAsManifest.status == 2 && metricsAsManifest.stderr.contains("each output needs its own file"))
            #expect(try String(contentsOf: manifest, encoding: .utf8).hasPrefix("account,user"), "the manifest is intact")
        }
    }

    @Test func theHTMLReportOfADryRunShowsTheFiguresOfItsJSONReport() throws {
        try SeededTenants.with { harness, connection, directory, credentials in
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("""
                account,user,totp_enabled,passkey_enabled,comment
                a,*,true,,everyone in a
                a,u2@a.test,false,true,"<script>alert('x')</script>"
                b,u1@b.test,true,,
                c,nobody@c.test,true,,left last year
                zz,*,true,,unknown tenant

                """.utf8).write(to: manifest)
            let json = directory.appendingPathComponent("preview.json")
            let html = directory.appendingPathComponent("preview.html")
            let run = try harness.run(["apply", manifest.path, "--dry-run", "--partial", "--credentials", credentials.path,
                                       "--quiet", "--report", json.path, "--report", html.path])
            #expect(run.status == 1, "\(run.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
            let data = try Data(contentsOf: html)
            let page = try HTMLPage(data)
            let text = String(decoding: data, as: UTF8.self)
            for (key, value) in try #require(report["summary"] as? [String: Int]) where value != 0 {
                #expect(page.number("data-summary", key) == value, "summary \(key)")
            }
            #expect(page.first("data-run", "id")?.text == (report["run"] as? [String: Any])?["id"] as? String)
            #expect(page.all("data-tenant").map { $0.attributes["data-tenant"] } == ["a", "b", "c"])
            #expect(!text.contains("<script>") && page.elements.allSatisfy { $0.name != "script" })
            #expect(page.elements.contains { $0.attributes["class"] == "comment" && $0.text == "<script>alert('x')</script>" })
            #expect(text.contains("+1 row → 1 user"), "b: one row turns TOTP on for one user")
            #expect(page.all("data-reason").compactMap { $0.attributes["data-reason"] }.count == 2)
            let mode = try FileManager.default.attributesOfItem(atPath: html.path)[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600)
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")

            // Written again from the run history: the same figures, no per-setting values.
            let runID = try #require((report["run"] as? [String: Any])?["id"] as? String)
            let again = directory.appendingPathComponent("again.html")
            #expect(try harness.run(["runs", "show", runID, "--report", again.path, "--quiet"]).status == 0)
            let history = try HTMLPage(Data(contentsOf: again))
            #expect(history.number("data-summary", "rows") == 5)
            #expect(history.first("data-setting") == nil)
        }
    }
}
