import Foundation
import Postgres
import Testing
import TestSupport

/// Issue 4, end to end through the built binary: credentials never show up in any
/// output or in the database, credential sources are tried in the documented order,
/// and a bad `--credentials` file is a usage error that does not echo its secrets.
@Suite struct CredentialsCLITests {
    // MARK: - 1. No secret anywhere

    @Test(arguments: ["csv", "jsonl"])
    func noSecretAnywhere(format: String) throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try JWTMinting.enable(connection)
            let fixture = try CredFixture(connection, harness: harness)
            let acme = try fixture.account("acme")
            let globex = try fixture.account("globex")
            let initech = try fixture.account("initech")
            let admin = try fixture.user(acme, "admin@acme.test")
            for email in ["alice", "bob", "carol", "dave", "erin", "frank"] { _ = try fixture.user(acme, email + "@acme.test") }
            _ = try fixture.user(globex, "gina@globex.test")
            _ = try fixture.user(initech, "ivan@initech.test")

            let validKey = try fixture.createKey("acme")
            let revokedKey = try fixture.createKey("acme")
            try fixture.revoke(revokedKey)
            let globexKey = try fixture.createKey("globex")
            let fileKey = try fixture.createKey("globex")
            let environmentKey = try fixture.createKey("initech")

            let jwtSecretHex = try fixture.jwtKey(acme, kid: "k1")
            let now = Int(Date().timeIntervalSince1970)
            let adminClaims: [String: Any] = [
                "acct": acme.uuidString.lowercased(), "sub": admin.uuidString.lowercased(),
                "exp": now + 3600, "iat": now, "scope": "mfa:admin",
            ]
            let adminToken = try JWTMinting.hs256(kid: "k1", claims: adminClaims, keyHex: jwtSecretHex, using: connection)
            var expiredClaims = adminClaims
            expiredClaims["exp"] = now - 3600
            expiredClaims["iat"] = now - 7200
            let expiredToken = try JWTMinting.hs256(kid: "k1", claims: expiredClaims, keyHex: jwtSecretHex, using: connection)
            // A genuine read-only token whose payload was edited to claim mfa:admin.
            var readClaims = adminClaims
            readClaims["scope"] = "mfa:read"
            let readToken = try JWTMinting.hs256(kid: "k1", claims: readClaims, keyHex: jwtSecretHex, using: connection)
            let tamperedToken = try JWTMinting.tampered(readToken, claims: adminClaims)

            let rows: [CredManifestRow] = [
                .init(account: "acme", user: "alice@acme.test", setting: ("totp_enabled", true), apiKey: validKey, comment: "valid key"),
                .init(account: "acme", user: "bob@acme.test", setting: ("totp_enabled", true), apiKey: revokedKey, comment: "revoked key"),
                .init(account: "acme", user: "carol@acme.test", setting: ("totp_enabled", true), apiKey: globexKey, comment: "other tenant's key"),
                .init(account: "acme", user: "dave@acme.test", setting: ("passkey_enabled", true),
                      authorization: "Bearer " + adminToken, comment: "admin token"),
                .init(account: "acme", user: "erin@acme.test", setting: ("totp_enabled", true),
                      authorization: "Bearer " + expiredToken, comment: "expired token"),
                .init(account: "acme", user: "frank@acme.test", setting: ("totp_enabled", true),
                      authorization: "Bearer " + tamperedToken, comment: "tampered token"),
                .init(account: "globex", user: "gina@globex.test", setting: ("totp_enabled", true), comment: "credentials file"),
                .init(account: "initech", user: "ivan@initech.test", setting: ("totp_enabled", true), comment: "environment"),
                .init(account: "acme", user: "not-an-email", setting: ("totp_enabled", true), apiKey: validKey, comment: "bad user"),
            ]

            let inputs = try CLIHarness.temporaryDirectory()
            let outputs = try CLIHarness.temporaryDirectory()
            let childTemp = outputs.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: childTemp, withIntermediateDirectories: true)
            defer {
                try? FileManager.default.removeItem(at: inputs)
                try? FileManager.default.removeItem(at: outputs)
            }
            let manifest = inputs.appendingPathComponent("changes." + format)
            try CredManifestRow.write(rows, format: format, to: manifest)
            let credentials = inputs.appendingPathComponent("credentials.json")
            try Data(#"{"globex": {"api_key": "\#(fileKey)"}}"#.utf8).write(to: credentials)
            let environment: [String: String?] = ["MFA_BATCH_API_KEY": environmentKey, "TMPDIR": childTemp.path]

            var streams: [(name: String, text: String)] = []
            func run(_ name: String, _ arguments: [String], files: Bool) throws -> ProcessOutput {
                var arguments = arguments
                if files {
                    arguments += ["--report", outputs.appendingPathComponent(name + ".json").path,
                                  "--report", outputs.appendingPathComponent(name + ".csv").path,
                                  "--rejects", outputs.appendingPathComponent(name + "-rejects." + format).path]
                } else {
                    arguments += ["--report", "-"]
                }
                let output = try harness.run(arguments, environment: environment)
                streams.append((name + " stdout", output.stdout))
                streams.append((name + " stderr", output.stderr))
                return output
            }
            let apply = ["apply", manifest.path, "--partial", "--credentials", credentials.path]
            let expectedAuth: [Int: (status: String, code: Int?, error: String?)] = [
                2: ("unauthorized", 401, "api key revoked"),
                // Another tenant's key and a forged token prove nothing about acme: they
                // read like an unknown account, so no tenant's existence leaks.
                3: ("unauthorized", 401, "credential not valid for account acme"),
                5: ("unauthorized", 401, "token expired"),
                6: ("unauthorized", 401, "credential not valid for account acme"),
            ]
            let succeeding = [1, 4, 7, 8]

            // Dry runs first: they must report the changes and write none of them.
            let dryFiles = try run("dry-run", apply + ["--dry-run"], files: true)
            #expect(dryFiles.status == 1, "\(dryFiles.stderr)")
            let dryStdout = try run("dry-run-stdout", apply + ["--dry-run", "--log-format", "json", "--progress", "always"],
                                    files: false)
            #expect(dryStdout.status == 1, "\(dryStdout.stderr)")
            for report in [try CredReport.read(outputs.appendingPathComponent("dry-run.json")), try CredReport.parse(dryStdout.stdout)] {
                #expect(report.mode == "dry-run")
                for row in succeeding { #expect(report.status(row) == "would_change", "row \(row)") }
                try report.expect(expectedAuth)
                #expect(report.status(9) == "invalid" && report.code(9) == 400)
            }
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled OR passkey_enabled").scalar == "0")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "0")

            // The real run: the four authorized rows change their users.
            let applied = try run("apply", apply, files: true)
            #expect(applied.status == 1, "\(applied.stderr)")
            let report = try CredReport.read(outputs.appendingPathComponent("apply.json"))
            #expect(report.mode == "apply")
            for row in succeeding {
                #expect(report.status(row) == "changed" && report.code(row) == 200, "row \(row)")
                #expect(report.int(row, "users_changed") == 1, "row \(row)")
            }
            try report.expect(expectedAuth)
            #expect(report.status(9) == "invalid" && report.code(9) == 400)
            let csvReport = try String(contentsOf: outputs.appendingPathComponent("apply.csv"), encoding: .utf8)
            #expect(csvReport.hasPrefix("row,line,account,user,status,code,error,users_matched,users_changed,comment"))
            #expect(csvReport.contains("credential not valid for account acme") && csvReport.contains("api key revoked"))

            // The rejects are the five failed rows, credentials removed, reason as comment.
            let rejects = try String(contentsOf: outputs.appendingPathComponent("apply-rejects." + format), encoding: .utf8)
            for email in ["bob@", "carol@", "erin@", "frank@", "not-an-email"] { #expect(rejects.contains(email), "\(email)") }
            for email in ["alice@", "dave@", "gina@", "ivan@"] { #expect(!rejects.contains(email), "\(email)") }
            for reason in ["api key revoked", "credential not valid for account acme", "token expired"] {
                #expect(rejects.contains(reason), "\(reason)")
            }

            let state = try connection.query(
                "SELECT email, totp_enabled, passkey_enabled FROM users ORDER BY email").rows
            #expect(state == [
                ["admin@acme.test", "f", "f"], ["alice@acme.test", "t", "f"], ["bob@acme.test", "f", "f"],
                ["carol@acme.test", "f", "f"], ["dave@acme.test", "f", "t"], ["erin@acme.test", "f", "f"],
                ["frank@acme.test", "f", "f"], ["gina@globex.test", "t", "f"], ["ivan@initech.test", "t", "f"],
            ])
            let audit = try connection.query("""
                SELECT u.email, a.credential FROM mfa_audit a JOIN users u ON u.account_id = a.account_id AND u.id = a.user_id
                ORDER BY u.email
                """).rows
            #expect(audit == [
                ["alice@acme.test", "api_key:" + (try fixture.keyID(validKey))],
                ["dave@acme.test", "jwt:k1:" + admin.uuidString.lowercased()],
                ["gina@globex.test", "api_key:" + (try fixture.keyID(fileKey))],
                ["ivan@initech.test", "api_key:" + (try fixture.keyID(environmentKey))],
            ])

            // Again, report on stdout: nothing left to change, same refusals.
            let again = try run("apply-stdout", apply + ["--log-format", "json"], files: false)
            #expect(again.status == 1, "\(again.stderr)")
            let againReport = try CredReport.parse(again.stdout)
            for row in succeeding { #expect(againReport.status(row) == "unchanged", "row \(row)") }
            try againReport.expect(expectedAuth)

            // validate is offline: every row but the bad user is valid.
            for (name, files) in [("validate", true), ("validate-stdout", false)] {
                let validated = try run(name, ["validate", manifest.path], files: files)
                #expect(validated.status == 1, "\(validated.stderr)")
                let validation = files ? try CredReport.read(outputs.appendingPathComponent(name + ".json"))
                    : try CredReport.parse(validated.stdout)
                for row in 1...8 { #expect(validation.status(row) == "valid", "row \(row)") }
                #expect(validation.status(9) == "invalid")
            }
            let validateRejects = try String(contentsOf: outputs.appendingPathComponent("validate-rejects." + format), encoding: .utf8)
            #expect(validateRejects.contains("not-an-email"))

            #expect(try connection.query("SELECT count(*) FROM job_runs").scalar == "4")

            // Now look for every secret everywhere.
            var haystacks = streams
            for file in try Self.files(under: outputs) {
                haystacks.append((file.lastPathComponent, String(decoding: try Data(contentsOf: file), as: UTF8.self)))
            }
            #expect(haystacks.contains { $0.name == "apply-rejects." + format })
            #expect(haystacks.contains { $0.name == "validate.csv" })
            let tables = try connection.query(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename").rows.compactMap { $0[0] }
            for table in ["api_keys", "job_runs", "mfa_audit", "run_outcomes", "users", "accounts", "jwt_keys"] {
                #expect(tables.contains(table), "\(table)")
            }
            for table in tables {
                let dump = try connection.query(
                    "SELECT row_to_json(t)::text FROM \(try connection.escapeIdentifier(table)) t").rows
                    .map { $0[0] ?? "" }.joined(separator: "\n")
                // jwt_keys holds the signing secret by design; it is scanned for the rest.
                haystacks.append(("table " + table, dump))
            }
            // The audit names the credential by id, never by its secret.
            #expect(haystacks.first { $0.name == "table mfa_audit" }?.text.contains("api_key:") == true)

            var secrets: [(name: String, value: String)] = []
            for (name, key) in [("valid key", validKey), ("revoked key", revokedKey), ("globex key", globexKey),
                                ("credentials-file key", fileKey), ("environment key", environmentKey)] {
                secrets.append((name, key))
                secrets.append((name + " secret part", String(key.dropFirst("mfab_12345678_".count))))
            }
            for (name, token) in [("admin token", adminToken), ("expired token", expiredToken), ("tampered token", tamperedToken)] {
                secrets.append((name, token))
                secrets.append((name + " signature", JWTMinting.segments(token)[2]))
            }
            let jwtSecret = try JWTMinting.bytes(hex: jwtSecretHex)
            let jwtSecretForms = [jwtSecretHex.lowercased(), jwtSecretHex.uppercased(),
                                  jwtSecret.base64EncodedString(), JWTMinting.base64URL(jwtSecret)]
            for (index, form) in jwtSecretForms.enumerated() { secrets.append(("jwt_keys secret form \(index)", form)) }

            for haystack in haystacks {
                for secret in secrets {
                    if secret.name.hasPrefix("jwt_keys secret"), haystack.name == "table jwt_keys" { continue }
                    #expect(!haystack.text.contains(secret.value), "\(secret.name) found in \(haystack.name)")
                }
            }
            // The scan would have seen them: the secrets are where they were put.
            #expect(try String(contentsOf: manifest, encoding: .utf8).contains(JWTMinting.segments(adminToken)[2]))
            #expect(haystacks.first { $0.name == "table jwt_keys" }?.text.contains(jwtSecretHex.lowercased()) == true)
        }
    }

    // MARK: - 2. Credential sources, first found wins

    @Test func firstFoundCredentialWins() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try JWTMinting.enable(connection)
            let fixture = try CredFixture(connection, harness: harness)
            let acme = try fixture.account("acme")
            let globex = try fixture.account("globex")
            let initech = try fixture.account("initech")
            let umbrella = try fixture.account("umbrella")
            let admin = try fixture.user(acme, "admin@acme.test")
            for email in ["a1", "a2", "a3", "a4", "a5"] { _ = try fixture.user(acme, email + "@acme.test") }
            for email in ["g1", "g2", "g3"] { _ = try fixture.user(globex, email + "@globex.test") }
            _ = try fixture.user(initech, "i1@initech.test")
            _ = try fixture.user(umbrella, "u1@umbrella.test")

            let rowKey = try fixture.createKey("acme")
            let fileKeyAcme = try fixture.createKey("acme")
            let revokedAcme = try fixture.createKey("acme")
            try fixture.revoke(revokedAcme)
            let fileKeyGlobex = try fixture.createKey(globex.uuidString)
            let environmentKey = try fixture.createKey("initech")
            let revokedUmbrella = try fixture.createKey("umbrella")
            try fixture.revoke(revokedUmbrella)
            let secretHex = try fixture.jwtKey(acme, kid: "ops")
            let token = try JWTMinting.hs256(
                kid: "ops",
                claims: ["acct": acme.uuidString.lowercased(), "sub": admin.uuidString.lowercased(),
                         "exp": Int(Date().timeIntervalSince1970) + 3600, "scope": "mfa:admin"],
                keyHex: secretHex, using: connection)

            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let credentials = directory.appendingPathComponent("credentials.json")
            try Data("""
                {"acme": {"api_key": "\(fileKeyAcme)"},
                 "\(globex.uuidString.lowercased())": {"api_key": "\(fileKeyGlobex)"},
                 "umbrella": {"api_key": "\(revokedUmbrella)"}}
                """.utf8).write(to: credentials)
            let unknownID = UUID().uuidString.lowercased()
            let rows: [CredManifestRow] = [
                // 1: the row's key, although acme has a file entry and the environment has a key
                .init(account: "acme", user: "a1@acme.test", setting: ("totp_enabled", true), apiKey: rowKey),
                // 2: the row names acme by id; the file names it by slug
                .init(account: acme.uuidString.lowercased(), user: "a2@acme.test", setting: ("totp_enabled", true)),
                // 3: the row's own (revoked) key is used, not the valid file entry
                .init(account: "acme", user: "a3@acme.test", setting: ("totp_enabled", true), apiKey: revokedAcme),
                // 4: the row's bearer token beats the file entry
                .init(account: "acme", user: "a4@acme.test", setting: ("totp_enabled", true), authorization: "Bearer " + token),
                // 5, 6: the file names globex by id; rows by slug and by id
                .init(account: "globex", user: "g1@globex.test", setting: ("totp_enabled", true)),
                .init(account: globex.uuidString.uppercased(), user: "g2@globex.test", setting: ("totp_enabled", true)),
                // 7: umbrella's (revoked) file entry beats the environment key (which would be another account's)
                .init(account: "umbrella", user: "u1@umbrella.test", setting: ("totp_enabled", true)),
                // 8: no row credential, no file entry: the environment key
                .init(account: "initech", user: "i1@initech.test", setting: ("totp_enabled", true)),
                // 9, 10: unknown accounts, with the environment key and with a row key
                .init(account: "nosuch", user: "x@nosuch.test", setting: ("totp_enabled", true)),
                .init(account: unknownID, user: "y@nosuch.test", setting: ("totp_enabled", true), apiKey: rowKey),
            ]
            let manifest = directory.appendingPathComponent("sources.jsonl")
            try CredManifestRow.write(rows, format: "jsonl", to: manifest)
            let reportURL = directory.appendingPathComponent("report.json")
            let output = try harness.run(
                ["apply", manifest.path, "--partial", "--credentials", credentials.path, "--report", reportURL.path, "--quiet"],
                environment: ["MFA_BATCH_API_KEY": environmentKey])
            #expect(output.status == 1, "\(output.stderr)")
            let report = try CredReport.read(reportURL)
            for row in [1, 2, 4, 5, 6, 8] { #expect(report.status(row) == "changed", "row \(row): \(report.error(row) ?? "")") }
            try report.expect([
                3: ("unauthorized", 401, "api key revoked"),
                7: ("unauthorized", 401, "api key revoked"),
                9: ("unauthorized", 401, "credential not valid for account nosuch"),
                10: ("unauthorized", 401, "credential not valid for account " + unknownID),
            ])
            let audit = try connection.query("""
                SELECT u.email, a.credential, a.manifest_row FROM mfa_audit a
                JOIN users u ON u.account_id = a.account_id AND u.id = a.user_id ORDER BY u.email
                """).rows
            #expect(audit == [
                ["a1@acme.test", "api_key:" + (try fixture.keyID(rowKey)), "1"],
                ["a2@acme.test", "api_key:" + (try fixture.keyID(fileKeyAcme)), "2"],
                ["a4@acme.test", "jwt:ops:" + admin.uuidString.lowercased(), "4"],
                ["g1@globex.test", "api_key:" + (try fixture.keyID(fileKeyGlobex)), "5"],
                ["g2@globex.test", "api_key:" + (try fixture.keyID(fileKeyGlobex)), "6"],
                ["i1@initech.test", "api_key:" + (try fixture.keyID(environmentKey)), "8"],
            ])

            // Without MFA_BATCH_API_KEY, a row whose account has no file entry has no credential.
            let globexOnly = directory.appendingPathComponent("globex-only.json")
            try Data(#"{"globex": {"api_key": "\#(fileKeyGlobex)"}}"#.utf8).write(to: globexOnly)
            let second = directory.appendingPathComponent("second.jsonl")
            try CredManifestRow.write([
                .init(account: "acme", user: "a5@acme.test", setting: ("totp_enabled", true)),
                .init(account: "globex", user: "g3@globex.test", setting: ("totp_enabled", true)),
            ], format: "jsonl", to: second)
            let secondReport = directory.appendingPathComponent("second.json")
            let withFile = try harness.run(
                ["apply", second.path, "--partial", "--credentials", globexOnly.path, "--report", secondReport.path, "--quiet"],
                environment: ["MFA_BATCH_API_KEY": nil])
            #expect(withFile.status == 1, "\(withFile.stderr)")
            let secondRows = try CredReport.read(secondReport)
            try secondRows.expect([1: ("unauthorized", 401, "missing credentials")])
            #expect(secondRows.status(2) == "changed")

            // No --credentials and no environment: every row is 401 "missing credentials".
            let bare = directory.appendingPathComponent("bare.json")
            let none = try harness.run(["apply", second.path, "--report", bare.path, "--quiet"],
                                       environment: ["MFA_BATCH_API_KEY": nil])
            #expect(none.status == 1, "\(none.stderr)")
            let bareRows = try CredReport.read(bare)
            try bareRows.expect([1: ("unauthorized", 401, "missing credentials"), 2: ("unauthorized", 401, "missing credentials")])
            #expect(try connection.query(
                "SELECT totp_enabled FROM users WHERE email = 'a5@acme.test'").scalar == "f")
        }
    }

    // MARK: - 3. A malformed --credentials file

    @Test func malformedCredentialsFileIsExit2WithoutItsSecrets() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try CredFixture(connection, harness: harness)
            let acme = try fixture.account("acme")
            _ = try fixture.user(acme, "alice@acme.test")
            let key = try fixture.createKey("acme")
            let other = try fixture.createKey("acme")
            let tail = String(key.dropFirst("mfab_12345678_".count))
            let otherTail = String(other.dropFirst("mfab_12345678_".count))

            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("one.jsonl")
            // Would change alice if anything ran (the row's own key is valid).
            try CredManifestRow.write([.init(account: "acme", user: "alice@acme.test", setting: ("totp_enabled", true), apiKey: other)],
                                  format: "jsonl", to: manifest)
            let cases: [(name: String, contents: String)] = [
                ("truncated", #"{"acme": {"api_key": "\#(key)"}"#),
                ("not-json", "acme: {api_key: \(key)}"),
                ("unknown-field", #"{"acme": {"apikey": "\#(key)"}}"#),
                ("extra-field", #"{"acme": {"api_key": "\#(key)", "token": "\#(other)"}}"#),
                ("secret-as-account", #"{"\#(key)": {"api_key": "\#(other)"}}"#),
                ("entry-not-object", #"{"acme": "\#(key)"}"#),
                ("both", #"{"acme": {"api_key": "\#(key)", "bearer": "\#(other)"}}"#),
                ("array", #"["\#(key)"]"#),
            ]
            for (name, contents) in cases {
                let file = directory.appendingPathComponent("creds-\(name).json")
                try Data(contents.utf8).write(to: file)
                let output = try harness.run(["apply", manifest.path, "--credentials", file.path],
                                             environment: ["MFA_BATCH_API_KEY": nil])
                #expect(output.status == 2, "\(name): \(output.stderr)")
                #expect(output.stderr.contains(file.path), "\(name): \(output.stderr)")
                for secret in [key, tail, other, otherTail] {
                    #expect(!output.stderr.contains(secret) && !output.stdout.contains(secret), "\(name) echoed a secret")
                }
            }
            let missing = directory.appendingPathComponent("absent.json")
            let absent = try harness.run(["apply", manifest.path, "--credentials", missing.path])
            #expect(absent.status == 2)
            #expect(absent.stderr.contains(missing.path))

            // Nothing ran.
            #expect(try connection.query("SELECT count(*) FROM job_runs").scalar == "0")
            #expect(try connection.query("SELECT totp_enabled FROM users").scalar == "f")
        }
    }

    // MARK: - 4. Credentials in the wrong place or shape

    @Test func misplacedOrMalformedCredentialsAreNeverEchoed() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            try JWTMinting.enable(connection)
            let fixture = try CredFixture(connection, harness: harness)
            let acme = try fixture.account("acme")
            let admin = try fixture.user(acme, "admin@acme.test")
            for number in 1...5 { _ = try fixture.user(acme, "u\(number)@acme.test") }
            let key = try fixture.createKey("acme")
            let secretHex = try fixture.jwtKey(acme, kid: "k1")
            let token = try JWTMinting.hs256(
                kid: "k1",
                claims: ["acct": acme.uuidString.lowercased(), "sub": admin.uuidString.lowercased(),
                         "exp": Int(Date().timeIntervalSince1970) + 3600, "scope": "mfa:admin"],
                keyHex: secretHex, using: connection)

            let directory = try CLIHarness.temporaryDirectory()
            let outputs = try CLIHarness.temporaryDirectory()
            defer {
                try? FileManager.default.removeItem(at: directory)
                try? FileManager.default.removeItem(at: outputs)
            }
            let objects: [[String: Any]] = [
                ["account": "acme", "user": "u1@acme.test", "totp_enabled": true, "apikey": key],
                ["account": "acme", "user": "u2@acme.test", "totp_enabled": true, "authorization": "Token " + key],
                ["account": "acme", "user": "u3@acme.test", "totp_enabled": true, "api_key": token],
                ["account": "acme", "user": "u4@acme.test", "totp_enabled": true, "authorization": "Bearer " + key],
                ["account": "acme", "user": "u5@acme.test", "totp_enabled": true, "authorization": token],
            ]
            let manifest = directory.appendingPathComponent("misplaced.jsonl")
            try Data(try objects.map {
                String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) + "\n"
            }.joined().utf8).write(to: manifest)

            var haystacks: [(name: String, text: String)] = []
            for (name, command) in [("apply", ["apply", manifest.path, "--partial"]), ("validate", ["validate", manifest.path])] {
                let output = try harness.run(command + [
                    "--report", outputs.appendingPathComponent(name + ".json").path,
                    "--report", outputs.appendingPathComponent(name + ".csv").path,
                    "--rejects", outputs.appendingPathComponent(name + "-rejects.jsonl").path,
                ], environment: ["MFA_BATCH_API_KEY": nil])
                #expect(output.status == 1, "\(name): \(output.stderr)")
                haystacks += [(name + " stdout", output.stdout), (name + " stderr", output.stderr)]
            }
            let report = try CredReport.read(outputs.appendingPathComponent("apply.json"))
            #expect(report.status(1) == "invalid" && report.code(1) == 400)
            try report.expect([3: ("unauthorized", 401, "credential not valid for account acme")])
            for row in [2, 4, 5] {
                #expect(["invalid", "unauthorized"].contains(report.status(row) ?? ""), "row \(row)")
            }
            let rejects = try String(contentsOf: outputs.appendingPathComponent("apply-rejects.jsonl"), encoding: .utf8)
            #expect(rejects.split(separator: "\n").count == 5)
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")

            // Unusable manifests that carry a credential: exit 2, and the error does not quote it.
            let unusable: [(name: String, contents: String)] = [
                ("extra-cell.csv", "account,user,totp_enabled,api_key\nacme,u1@acme.test,true,\(key),surplus\n"),
                ("open-quote.csv", "account,user,totp_enabled,api_key\nacme,u1@acme.test,true,\"\(key)\n"),
                ("incomplete.jsonl", #"{"account": "acme", "user": "u1@acme.test", "totp_enabled": true, "api_key": "\#(key)""# + "\n"),
                ("not-object.jsonl", #"["acme", "\#(key)"]"# + "\n"),
                ("trailing.json", #"[{"account": "acme", "user": "u1@acme.test", "totp_enabled": true, "authorization": "Bearer \#(token)"} x]"#),
            ]
            for (name, contents) in unusable {
                let file = directory.appendingPathComponent(name)
                try Data(contents.utf8).write(to: file)
                for command in [["apply", file.path], ["validate", file.path]] {
                    let output = try harness.run(command, environment: ["MFA_BATCH_API_KEY": nil])
                    #expect(output.status == 2, "\(command[0]) \(name): \(output.stderr)")
                    #expect(output.stderr.contains(name), "\(command[0]) \(name): \(output.stderr)")
                    haystacks += [("\(command[0]) \(name) stdout", output.stdout), ("\(command[0]) \(name) stderr", output.stderr)]
                }
            }
            // Nothing applied (whether a refused run leaves a job_runs row is another test's business).
            #expect(try connection.query("SELECT count(*) FROM users WHERE totp_enabled").scalar == "0")
            #expect(try connection.query("SELECT count(*) FROM mfa_audit").scalar == "0")

            for file in try Self.files(under: outputs) {
                haystacks.append((file.lastPathComponent, String(decoding: try Data(contentsOf: file), as: UTF8.self)))
            }
            #expect(haystacks.count == 2 * 2 + 5 * 2 * 2 + 6)
            for table in try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").rows.compactMap({ $0[0] }) {
                let dump = try connection.query("SELECT row_to_json(t)::text FROM \(try connection.escapeIdentifier(table)) t").rows
                haystacks.append(("table " + table, dump.map { $0[0] ?? "" }.joined(separator: "\n")))
            }
            let secrets = [("key", key), ("key secret part", String(key.dropFirst("mfab_12345678_".count))),
                           ("token", token), ("token signature", JWTMinting.segments(token)[2])]
            for haystack in haystacks {
                for (name, value) in secrets { #expect(!haystack.text.contains(value), "\(name) found in \(haystack.name)") }
            }
        }
    }

    // MARK: - A refused manifest leaves no run behind as "running"

    @Test
    func manifestErrorMidStreamLeavesNoRunningRun() throws {
        try CLIHarness.withMigratedDatabase { harness, connection in
            let fixture = try CredFixture(connection, harness: harness)
            let acme = try fixture.account("acme")
            _ = try fixture.user(acme, "u1@acme.test")
            let key = try fixture.createKey("acme")
            let directory = try CLIHarness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let manifest = directory.appendingPathComponent("incomplete.jsonl")
            try Data((#"{"account": "acme", "user": "u1@acme.test", "totp_enabled": true, "api_key": "\#(key)""# + "\n").utf8)
                .write(to: manifest)
            let output = try harness.run(["apply", manifest.path])
            #expect(output.status == 2, "\(output.stderr)")
            #expect(!output.stderr.contains(key))
            // The process has exited: none of its runs may still claim to be running.
            #expect(try connection.query("SELECT count(*) FROM job_runs WHERE outcome = 'running'").scalar == "0")
            #expect(try connection.query("SELECT totp_enabled FROM users").scalar == "f")
        }
    }

    static func files(under directory: URL) throws -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [URL] = []
        for case let url as URL in enumerator {
            if try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true { found.append(url) }
        }
        return found.sorted { $0.path < $1.path }
    }
}

// MARK: - CredFixture helpers

/// Seeds tenants with parameterized SQL and mints API keys through the binary.
private struct CredFixture {
    let connection: Connection
    let harness: CLIHarness

    init(_ connection: Connection, harness: CLIHarness) throws {
        self.connection = connection
        self.harness = harness
    }

    func account(_ slug: String) throws -> UUID {
        let id = UUID()
        try connection.query("INSERT INTO accounts (id, slug, name) VALUES ($1, $2, $3)", [id, slug, slug.capitalized])
        return id
    }

    func user(_ account: UUID, _ email: String) throws -> UUID {
        let id = UUID()
        try connection.query("INSERT INTO users (account_id, id, email) VALUES ($1, $2, $3)", [account, id, email])
        return id
    }

    /// A `jwt_keys` row with 32 random secret bytes; returns the secret as hex.
    func jwtKey(_ account: UUID, kid: String) throws -> String {
        let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try connection.query("INSERT INTO jwt_keys (account_id, kid, secret) VALUES ($1, $2, decode($3, 'hex'))",
                             [account, kid, hex])
        return hex
    }

    /// `mfa-batch keys create --account ACCOUNT`: the key from stdout.
    func createKey(_ account: String) throws -> String {
        let output = try harness.run(["keys", "create", "--account", account])
        guard output.status == 0 else { throw FixtureError(message: "keys create: \(output.stderr)") }
        let lines = output.stdout.split(separator: "\n")
        guard lines.count == 1, lines[0].hasPrefix("mfab_") else { throw FixtureError(message: "keys create printed \(lines.count) lines") }
        return String(lines[0])
    }

    /// The id of the stored key whose hash is the key's SHA-256.
    func keyID(_ key: String) throws -> String {
        guard let id = try connection.query(
            "SELECT id FROM api_keys WHERE key_hash = sha256(convert_to($1, 'UTF8'))", [key]).scalar else {
            throw FixtureError(message: "no api_keys row for a minted key")
        }
        return id
    }

    func revoke(_ key: String) throws {
        let output = try harness.run(["keys", "revoke", try keyID(key)])
        guard output.status == 0 else { throw FixtureError(message: "keys revoke: \(output.stderr)") }
    }
}

private struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// One manifest row, written as CSV or JSON Lines.
private struct CredManifestRow {
    var account: String
    var user: String
    var setting: (name: String, value: Bool)
    var apiKey: String? = nil
    var authorization: String? = nil
    var comment: String? = nil

    static func write(_ rows: [CredManifestRow], format: String, to url: URL) throws {
        var text = ""
        switch format {
        case "csv":
            text = "account,user,totp_enabled,passkey_enabled,api_key,authorization,comment\n"
            for row in rows {
                let totp = row.setting.name == "totp_enabled" ? String(row.setting.value) : ""
                let passkey = row.setting.name == "passkey_enabled" ? String(row.setting.value) : ""
                text += [row.account, row.user, totp, passkey, row.apiKey ?? "", row.authorization ?? "", row.comment ?? ""]
                    .joined(separator: ",") + "\n"
            }
        default:
            for row in rows {
                var object: [String: Any] = ["account": row.account, "user": row.user, row.setting.name: row.setting.value]
                if let apiKey = row.apiKey { object["api_key"] = apiKey }
                if let authorization = row.authorization { object["authorization"] = authorization }
                if let comment = row.comment { object["comment"] = comment }
                text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
            }
        }
        try Data(text.utf8).write(to: url)
    }
}

/// A JSON report, rows looked up by their `row` number.
private struct CredReport {
    var object: [String: Any]
    var rows: [Int: [String: Any]]

    static func read(_ url: URL) throws -> CredReport { try parse(String(decoding: try Data(contentsOf: url), as: UTF8.self)) }

    static func parse(_ text: String) throws -> CredReport {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let list = try #require(object["rows"] as? [[String: Any]])
        var rows: [Int: [String: Any]] = [:]
        for row in list { if let number = row["row"] as? Int { rows[number] = row } }
        return CredReport(object: object, rows: rows)
    }

    var mode: String? { (object["run"] as? [String: Any])?["mode"] as? String }
    func status(_ row: Int) -> String? { rows[row]?["status"] as? String }
    func code(_ row: Int) -> Int? { rows[row]?["code"] as? Int }
    func error(_ row: Int) -> String? { rows[row]?["error"] as? String }
    func int(_ row: Int, _ field: String) -> Int? { rows[row]?[field] as? Int }

    func expect(_ expected: [Int: (status: String, code: Int?, error: String?)],
                sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (row, want) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(status(row) == want.status, "row \(row): \(error(row) ?? "")", sourceLocation: sourceLocation)
            #expect(code(row) == want.code, "row \(row)", sourceLocation: sourceLocation)
            #expect(error(row) == want.error, "row \(row)", sourceLocation: sourceLocation)
        }
    }
}
