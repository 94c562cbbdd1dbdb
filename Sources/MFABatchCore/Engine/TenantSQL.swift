/// The statements of one tenant's transaction, built once per run for the
/// settings of the API spec (a new boolean property in the spec is a new column
/// here, with no code change). Every statement takes `$1` = run id and
/// `$2` = account id, and is set-based over `run_rows`: no statement per row.
///
/// Row-level security confines all of them to the tenant (see `TenantScope`), so a
/// `run_rows` entry that points at another tenant's user simply matches nothing.
struct TenantSQL: Sendable {
    /// Setting names, in spec order; checked to be plain identifiers.
    let settings: [String]

    init(settings: [String]) throws {
        for name in settings where !TenantSQL.isPlainIdentifier(name) {
            throw EngineError.unsupportedSetting(name)
        }
        self.settings = settings
    }

    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, (0x61...0x7A).contains(first) || first == 0x5F, name.utf8.count <= 63 else {
            return false
        }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// A user's settings as one JSON object, e.g. `{"totp_enabled": true, …}`.
    func state(_ alias: String) -> String {
        "jsonb_build_object(" + settings.map { "'\($0)', \(alias).\"\($0)\"" }.joined(separator: ", ") + ")"
    }

    /// Step 3 (resolution) for rows naming one user: found and not deleted, or 400.
    /// Rows that already failed (schema or credential) are resolved too, without
    /// changing their outcome: their user is then kept out of the `*` rows (see
    /// `fillDesired`).
    let resolveNamedUsers = """
        UPDATE run_rows r
        SET resolved_user = CASE WHEN m.deleted_at IS NULL THEN m.id END,
            users_matched = CASE WHEN r.status IS NOT NULL THEN r.users_matched
                                 WHEN m.id IS NOT NULL AND m.deleted_at IS NULL THEN 1 END,
            status = CASE WHEN r.status IS NOT NULL THEN r.status
                          WHEN m.id IS NULL OR m.deleted_at IS NOT NULL THEN 'invalid' END,
            reason = CASE WHEN r.status IS NOT NULL THEN r.reason
                          WHEN m.id IS NULL THEN 'user not found' WHEN m.deleted_at IS NOT NULL THEN 'user deleted' END,
            error = CASE WHEN r.status IS NOT NULL THEN r.error
                         WHEN m.id IS NULL THEN format('user: %s not found in account %s', r.user_text, r.account)
                         WHEN m.deleted_at IS NOT NULL THEN format('user: %s is deleted', r.user_text) END
        FROM (
            SELECT q.row_no, coalesce(ui.id, ue.id) AS id,
                   CASE WHEN ui.id IS NOT NULL THEN ui.deleted_at ELSE ue.deleted_at END AS deleted_at
            FROM run_rows q
            LEFT JOIN users ui ON ui.account_id = $2 AND ui.id = q.user_ref_id
            LEFT JOIN users ue ON ue.account_id = $2 AND lower(ue.email) = lower(q.user_email)
            WHERE q.run_id = $1 AND q.account_id = $2 AND NOT q.user_all
              AND (q.user_ref_id IS NOT NULL OR q.user_email IS NOT NULL)
        ) m
        WHERE r.run_id = $1 AND r.account_id = $2 AND r.row_no = m.row_no
        """

    /// Step 2, finished after resolution: a token without `mfa:admin` may change only
    /// its own user (`*` and other ids were refused while staging). A row it names by email that is someone else — or no one — is a
    /// 401 either way, so the token learns nothing about other users. `$3` message,
    /// `$4` reason.
    let confineUserTokens = """
        UPDATE run_rows
        SET status = 'unauthorized', error = $3, reason = $4, users_matched = NULL
        WHERE run_id = $1 AND account_id = $2 AND restricted_to IS NOT NULL AND user_email IS NOT NULL
          AND resolved_user IS DISTINCT FROM restricted_to
          AND (status IS NULL OR (status = 'invalid' AND reason IN ('user not found', 'user deleted')))
        """

    /// `*` matches every non-deleted user of the account.
    let countEveryone = """
        UPDATE run_rows
        SET users_matched = (SELECT count(*) FROM users WHERE account_id = $2 AND deleted_at IS NULL)
        WHERE run_id = $1 AND account_id = $2 AND status IS NULL AND user_all
        """

    /// The desired state: per user and setting, the rows of the highest specificity
    /// (a named user beats `*`). Temporary tables whose rows live only as long as the
    /// tenant's transaction. They are created by the first tenant a connection runs
    /// and kept, empty, for the next ones: creating and dropping two tables and an
    /// index was a fifth of a small tenant's time. `IF NOT EXISTS` in every
    /// transaction keeps this right on a fresh or pooled server connection.
    let createWorkTables = """
        SET LOCAL client_min_messages = warning;  -- no "already exists, skipping" notices
        CREATE TEMP TABLE IF NOT EXISTS mfa_desired (row_no integer NOT NULL, user_id uuid NOT NULL,
            field text NOT NULL, value boolean NOT NULL, specific boolean NOT NULL) ON COMMIT DELETE ROWS;
        CREATE INDEX IF NOT EXISTS mfa_desired_user_field ON mfa_desired (user_id, field);
        CREATE TEMP TABLE IF NOT EXISTS mfa_effective (user_id uuid NOT NULL, field text NOT NULL,
            value boolean NOT NULL, row_no integer NOT NULL, specific boolean NOT NULL) ON COMMIT DELETE ROWS
        """

    /// The `*` rows are few: materialized first, so that they drive the join with the
    /// tenant's users whatever the planner believes about a freshly loaded table.
    /// A user named by a row that failed is left out of the `*` rows: the operator
    /// meant something else for that user ("everyone but the bot"), so `--partial`
    /// never lets `*` decide for them.
    let fillDesired = """
        INSERT INTO mfa_desired (row_no, user_id, field, value, specific)
        WITH everyone AS MATERIALIZED (
            SELECT r.row_no, s.key AS field, s.value = 'true'::jsonb AS value
            FROM run_rows r CROSS JOIN LATERAL jsonb_each(r.settings) s
            WHERE r.run_id = $1 AND r.account_id = $2 AND r.status IS NULL AND r.user_all
        ), named AS MATERIALIZED (
            SELECT r.row_no, r.resolved_user AS user_id, s.key AS field, s.value = 'true'::jsonb AS value
            FROM run_rows r CROSS JOIN LATERAL jsonb_each(r.settings) s
            WHERE r.run_id = $1 AND r.account_id = $2 AND r.status IS NULL AND NOT r.user_all
        ), held_back AS MATERIALIZED (
            SELECT DISTINCT resolved_user AS user_id FROM run_rows
            WHERE run_id = $1 AND account_id = $2 AND status IS NOT NULL AND NOT user_all
              AND resolved_user IS NOT NULL
        ), expanded AS (
            SELECT e.row_no, u.id AS user_id, e.field, e.value, 0 AS specificity
            FROM everyone e JOIN users u ON u.account_id = $2 AND u.deleted_at IS NULL
            WHERE NOT EXISTS (SELECT 1 FROM held_back h WHERE h.user_id = u.id)
            UNION ALL
            SELECT row_no, user_id, field, value, 1 FROM named
        )
        SELECT row_no, user_id, field, value, specificity = 1 FROM (
            SELECT x.*, max(x.specificity) OVER (PARTITION BY x.user_id, x.field) AS top FROM expanded x
        ) ranked
        WHERE specificity = top
        """

    /// Real statistics for the planner (the table's size differs from tenant to tenant).
    let analyzeDesired = "ANALYZE mfa_desired"

    /// Real statistics for the planner (a temporary table has none).
    let analyzeEffective = "ANALYZE mfa_effective"

    /// Step 4 (policy), for accounts with `mfa_required`: rows that would leave a user
    /// who has a factor now with none. Disagreeing (conflicting) settings count as
    /// unchanged here; they are step 5's. `$3` is the account as shown.
    var enforcePolicy: String {
        policy(changes: """
            SELECT user_id, field, bool_and(value) AS value FROM mfa_desired
            GROUP BY user_id, field HAVING bool_and(value) = bool_or(value)
            """)
    }

    /// The policy over `changes` (a query of `user_id, field, value`): every row that
    /// sets one of a stripped user's factors to false is `invalid`, naming the user.
    private func policy(changes: String) -> String {
        """
        WITH changes AS (\(changes)), finals AS (
            SELECT u.id, u.email, \(state("u")) AS before, \(state("u")) || jsonb_object_agg(c.field, c.value) AS after
            FROM changes c JOIN users u ON u.account_id = $2 AND u.id = c.user_id
            GROUP BY u.account_id, u.id
        ), stripped AS (
            SELECT id, email FROM finals
            WHERE jsonb_path_exists(before, '$.* ? (@ == true)') AND NOT jsonb_path_exists(after, '$.* ? (@ == true)')
        ), culprits AS (
            SELECT d.row_no, min(s.email) AS email, count(DISTINCT s.id) AS users
            FROM changes c JOIN stripped s ON s.id = c.user_id
            JOIN mfa_desired d ON d.user_id = c.user_id AND d.field = c.field
            WHERE NOT c.value
            GROUP BY d.row_no
        )
        UPDATE run_rows r
        SET status = 'invalid', reason = 'would leave a user without MFA',
            error = CASE WHEN c.users = 1
                THEN format('would leave user %s with no MFA factor, but account %s requires MFA', c.email, $3::text)
                ELSE format('would leave %s users (e.g. %s) with no MFA factor, but account %s requires MFA', c.users, c.email, $3::text)
            END
        FROM culprits c
        WHERE r.run_id = $1 AND r.account_id = $2 AND r.row_no = c.row_no AND r.status IS NULL
        """
    }

    /// Step 5: rows of the same specificity giving a user's setting different values.
    let markConflicts = """
        UPDATE run_rows r
        SET status = 'invalid', reason = 'conflicting rows',
            error = format('%s for user %s: conflicts with row %s', c.field, c.email, c.other)
        FROM (
            SELECT DISTINCT ON (d.row_no) d.row_no, d.field, o.row_no AS other, u.email
            FROM mfa_desired d
            JOIN mfa_desired o ON o.user_id = d.user_id AND o.field = d.field AND o.value <> d.value
            JOIN users u ON u.account_id = $2 AND u.id = d.user_id
            ORDER BY d.row_no, o.row_no, d.field
        ) c
        WHERE r.run_id = $1 AND r.account_id = $2 AND r.row_no = c.row_no AND r.status IS NULL
        """

    /// How many rows of the tenant failed.
    let countFailures = """
        SELECT count(*) FROM run_rows
        WHERE run_id = $1 AND account_id = $2 AND status IN ('invalid', 'unauthorized')
        """

    let markNotApplied = """
        UPDATE run_rows SET status = 'not_applied' WHERE run_id = $1 AND account_id = $2 AND status IS NULL
        """

    /// What actually changes: settings whose deciding rows all passed and agree, and
    /// that differ from the user's current value; credited to the first deciding row.
    /// With `lock`, the users are locked first (FOR UPDATE re-reads the latest version,
    /// so the audit's `before` is the value really replaced).
    func fillEffective(lock: Bool) -> String {
        """
        INSERT INTO mfa_effective (user_id, field, value, row_no, specific)
        SELECT c.user_id, c.field, c.value, c.row_no, c.specific
        FROM (
            SELECT d.user_id, d.field, bool_and(d.value) AS value, min(d.row_no) AS row_no,
                   bool_or(d.specific) AS specific
            FROM mfa_desired d JOIN run_rows r ON r.run_id = $1 AND r.account_id = $2 AND r.row_no = d.row_no
            GROUP BY d.user_id, d.field
            HAVING bool_and(d.value) = bool_or(d.value) AND bool_and(r.status IS NULL)
        ) c
        JOIN users u ON u.account_id = $2 AND u.id = c.user_id
        WHERE (\(state("u")) ->> c.field)::boolean IS DISTINCT FROM c.value
        \(lock ? "FOR UPDATE OF u" : "")
        """
    }

    /// With `--partial`, after rows failed: drop every change a failed row took part
    /// in deciding, and every change a `*` row decides for a user that a failed row
    /// names ("everyone but the bot" must hold when the bot's row fails).
    let pruneEffective = """
        DELETE FROM mfa_effective e
        WHERE EXISTS (SELECT 1 FROM mfa_desired d
                      JOIN run_rows r ON r.run_id = $1 AND r.account_id = $2 AND r.row_no = d.row_no
                      WHERE d.user_id = e.user_id AND d.field = e.field AND r.status IS NOT NULL)
           OR (NOT e.specific AND EXISTS (SELECT 1 FROM run_rows f
                      WHERE f.run_id = $1 AND f.account_id = $2 AND f.status IS NOT NULL AND NOT f.user_all
                        AND f.resolved_user = e.user_id))
        """

    /// With `--partial` on an `mfa_required` account: the policy again, on what will
    /// really be applied once failed rows are left out (leaving a row out can leave
    /// another row's change without the factor it relied on). Repeated with
    /// `pruneEffective` until no row fails. `$3` is the account as shown.
    var recheckPolicy: String {
        policy(changes: "SELECT user_id, field, value FROM mfa_effective")
    }

    var applyChanges: String {
        """
        UPDATE users u
        SET \(settings.map { "\"\($0)\" = coalesce((p.changes ->> '\($0)')::boolean, u.\"\($0)\")" }.joined(separator: ", "))
        FROM (SELECT user_id, jsonb_object_agg(field, value) AS changes FROM mfa_effective GROUP BY user_id) p
        WHERE u.account_id = $2 AND u.id = p.user_id AND $1::uuid IS NOT NULL
        """
    }

    /// One audit row per changed user, written after the UPDATE: `after` is the
    /// user's settings now, `before` the same with the changed ones put back; the
    /// manifest row and credential are those of the first row that decided a change.
    /// `changed_at` is the time of the write (not the transaction's start, which may
    /// precede a wait for the tenant lock), so audit rows sort in the order applied.
    var writeAudit: String {
        """
        INSERT INTO mfa_audit (account_id, run_id, user_id, manifest_row, credential, before, after, changed_at)
        SELECT $2, $1, c.user_id, c.row_no, coalesce(r.principal, 'unknown'), \(state("u")) || c.undo, \(state("u")),
               clock_timestamp()
        FROM (SELECT user_id, min(row_no) AS row_no, jsonb_object_agg(field, NOT value) AS undo
              FROM mfa_effective GROUP BY user_id) c
        JOIN users u ON u.account_id = $2 AND u.id = c.user_id
        JOIN run_rows r ON r.run_id = $1 AND r.account_id = $2 AND r.row_no = c.row_no
        """
    }

    /// Final statuses of the rows that passed: `$3` (`changed` or `would_change`)
    /// with the users each changed (primary-key lookups from the few changing rows),
    /// then `unchanged` with 0 for the rest. Two plain statements on purpose: a
    /// single self-join was planned as a quadratic nested loop.
    let markChanged = """
        UPDATE run_rows r SET users_changed = x.n, status = $3
        FROM (SELECT row_no, count(DISTINCT user_id) AS n FROM mfa_effective GROUP BY row_no) x
        WHERE r.run_id = $1 AND r.row_no = x.row_no AND r.account_id = $2 AND r.status IS NULL
        """

    let markUnchanged = """
        UPDATE run_rows SET users_changed = 0, status = 'unchanged'
        WHERE run_id = $1 AND account_id = $2 AND status IS NULL
        """

    let countUsersChanged = "SELECT count(DISTINCT user_id) FROM mfa_effective"

    let accountPolicy = "SELECT mfa_required FROM accounts WHERE id = $2 AND $1::uuid IS NOT NULL"

    /// A digest of everything a tenant's outcome depends on in the database: each
    /// user's id, email, deletion and settings, and the account's `mfa_required`.
    /// Taken first in the tenant's transaction (after its lock), for saved plans.
    var fingerprint: String {
        """
        SELECT md5(a.mfa_required::text || '|' || coalesce(string_agg(
                   u.id::text || '|' || lower(u.email) || '|' || (u.deleted_at IS NULL)::text || '|' || \(state("u"))::text,
                   ',' ORDER BY u.id), ''))
        FROM accounts a LEFT JOIN users u ON u.account_id = a.id
        WHERE a.id = $2 AND $1::uuid IS NOT NULL
        GROUP BY a.mfa_required
        """
    }

    /// Plan apply: the tenant changed since planning; its undecided rows are `stale`.
    let markStale = """
        UPDATE run_rows SET status = 'stale', reason = 'tenant changed since planning',
               error = 'the tenant''s data changed since the plan was made; plan again'
        WHERE run_id = $1 AND account_id = $2 AND status IS NULL
        """
}
