import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 12, item 2: an output that is not a regular file is never replaced, and
/// an output that would destroy an input is refused before anything runs.
@Suite struct OutputPathsCLITests {
    let offline = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))
    static let manifest = "account,user,totp_enabled\nacme,*,true\nacme,not-an-email,true\n"

    /// A private character device (the null device's numbers), so that nothing of
    /// the system's /dev is at stake; a FIFO with a reader when not root.
    private func device(in directory: URL, _ name: String) -> (path: String, isDevice: Bool) {
        let path = directory.appendingPathComponent(name).path
        if mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 { return (path, true) }
        return (path, false)
    }

    private func kind(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aDeviceIsWrittenInPlaceNeverReplaced() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = device(in: directory, "report-device"), rejects = device(in: directory, "rejects-device")
        try #require(report.isDevice && rejects.isDevice, "mknod needs root")
        let manifest = directory.appendingPathComponent("m.csv")
        try Data(Self.manifest.utf8).write(to: manifest)
        let output = try offline.run(["validate", manifest.path, "--report", report.path, "--rejects", rejects.path])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(kind(report.path) == S_IFCHR && kind(rejects.path) == S_IFCHR)
        // No temporary file left beside them either.
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
                == ["m.csv", "report-device", "rejects-device"])
    }

    /// `/dev/fd/1` (like `/dev/stdout`) is the tool's own standard output, written
    /// where it stands; it used to be a path to rename a temporary file over.
    @Test func anOutputNamingOurOwnDescriptorIsThatDescriptor() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data(Self.manifest.utf8).write(to: manifest)
        let output = try offline.run(["validate", manifest.path, "--rejects", "/dev/fd/1"])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout == "account,user,totp_enabled,comment\n"
                + "acme,not-an-email,true,\"user: expected a user id (UUID), an email or *, got \"\"not-an-email\"\"\"\n")
        let twice = try offline.run(["validate", manifest.path, "--rejects", "/dev/stdout", "--report", "-"])
        #expect(twice.status == 2 && twice.stderr.contains("only one output may go to stdout"), "\(twice.stderr)")
    }

    /// A directory as an output was found only when the report was renamed into
    /// place, after every tenant had committed (exit 3).
    @Test func aDirectoryIsRefusedBeforeAnyTenantCommits() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let acme = UUID()
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [acme])
            try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, 'a@acme.test')", [acme, UUID()])
            let key = try harness.run(["keys", "create", "--account", "acme"]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)
            for option in ["--report", "--rejects"] {
                let output = try harness.run(["apply", manifest.path, option, directory.path],
                                             environment: ["MFA_BATCH_API_KEY": key])
                #expect(output.status == 2, "\(output.stderr)")
                #expect(output.stderr.contains("is a directory"), "\(output.stderr)")
            }
            let plan = try harness.run(["plan", manifest.path, "--out", directory.path],
                                       environment: ["MFA_BATCH_API_KEY": key])
            #expect(plan.status == 2 && plan.stderr.contains("is a directory"), "\(plan.stderr)")
            #expect(try connection.query("SELECT count(*) FROM job_runs").scalar == "0")
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")
        }
    }

    /// Compared by device and inode: a hard link to the manifest, or the
    /// `--credentials` file, is refused as an output (both used to be overwritten).
    @Test func anOutputThatIsTheManifestOrTheCredentialsFileIsRefused() throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data(Self.manifest.utf8).write(to: manifest)
        let link = directory.appendingPathComponent("report.csv")
        #expect(Glibc.link(manifest.path, link.path) == 0)
        let linked = try offline.run(["validate", manifest.path, "--report", link.path])
        #expect(linked.status == 2 && linked.stderr.contains("is the manifest"), "\(linked.stderr)")
        #expect(try String(contentsOf: manifest, encoding: .utf8) == Self.manifest)

        let credentials = directory.appendingPathComponent("c.json")
        let secret = #"{"acme": {"api_key": "mfab_00000000_secret"}}"#
        try Data(secret.utf8).write(to: credentials)
        for option in ["--report", "--rejects"] {
            let output = try offline.run(["apply", manifest.path, "--credentials", credentials.path, option, credentials.path])
            #expect(output.status == 2 && output.stderr.contains("is the --credentials file"), "\(output.stderr)")
        }
        #expect(try String(contentsOf: credentials, encoding: .utf8) == secret)
    }

    @Test func aPlanToADeviceIsWrittenInPlace() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, 'acme', 'Acme')", [UUID()])
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let out = device(in: directory, "plan-device")
            try #require(out.isDevice, "mknod needs root")
            let manifest = directory.appendingPathComponent("m.csv")
            try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)
            let plan = try harness.run(["plan", manifest.path, "--out", out.path, "--quiet"])
            #expect(plan.status == 1, "\(plan.stderr)")
            #expect(kind(out.path) == S_IFCHR)
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)) == ["m.csv", "plan-device"])
        }
    }
}

/// Issue 12, item 7: a `--credentials` file others may read or change is warned about.
@Suite struct CredentialsPermissionCLITests {
    let offline = CLIHarness(settings: ConnectionSettings(conninfo: "postgresql://nobody@127.0.0.1:1/none"))

    @Test(arguments: [(0o644, "read"), (0o620, "written"), (0o666, "read and written"), (0o600, nil)] as [(Int, String?)])
    func aCredentialsFileOthersCanUseIsWarnedAbout(mode: Int, what: String?) throws {
        let directory = try CLIHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("m.csv")
        try Data("account,user,totp_enabled\nacme,*,true\n".utf8).write(to: manifest)
        let credentials = directory.appendingPathComponent("c.json")
        try Data(#"{"acme": {"api_key": "mfab_00000000_secret"}}"#.utf8).write(to: credentials)
        #expect(chmod(credentials.path, mode_t(mode)) == 0)
        let output = try offline.run(["apply", manifest.path, "--credentials", credentials.path])
        #expect(output.status == 3, "\(output.stderr)")
        if let what {
            #expect(output.stderr.contains("warning: the --credentials file \(credentials.path) can be \(what) by other users"),
                    "\(output.stderr)")
            #expect(output.stderr.contains("chmod 600"))
        } else {
            #expect(!output.stderr.contains("warning"), "\(output.stderr)")
        }
        #expect(!output.stderr.contains("secret"))
    }
}
