import Foundation

/// Statuses of PRODUCT.md section 3.
public enum RowStatus: String, Sendable, CaseIterable, Codable {
    case changed
    case wouldChange = "would_change"
    case unchanged
    case invalid
    case unauthorized
    case notApplied = "not_applied"
    case stale
    case error
    case valid

    /// The HTTP-style code; nil where none applies.
    public var code: Int? {
        switch self {
        case .changed, .wouldChange, .unchanged: return 200
        case .invalid: return 400
        case .unauthorized: return 401
        case .notApplied, .stale, .error, .valid: return nil
        }
    }

    /// Whether the row counts as a success for the exit code.
    public var isSuccess: Bool {
        switch self {
        case .changed, .wouldChange, .unchanged, .valid: return true
        default: return false
        }
    }
}

/// The outcome of one manifest row: exactly the row fields of the report.
public struct RowOutcome: Sendable, Equatable {
    public var row: Int
    public var line: Int
    /// As written in the manifest (may be empty or malformed for invalid rows), as
    /// `EchoedText.shown` shows it (as are `user` and `comment`: a value that looks
    /// like a credential is redacted, a long one cut); `error` has its invisible
    /// characters escaped.
    public var account: String
    public var user: String
    public var status: RowStatus
    public var error: String?
    public var usersMatched: Int?
    public var usersChanged: Int?
    public var comment: String?
    /// Short, value-free category for grouping in the summary ("user not found");
    /// not part of the report.
    public var reason: String?

    public init(row: Int, line: Int, account: String, user: String, status: RowStatus, error: String? = nil,
                usersMatched: Int? = nil, usersChanged: Int? = nil, comment: String? = nil, reason: String? = nil) {
        self.row = row
        self.line = line
        self.account = EchoedText.shown(account)
        self.user = EchoedText.shown(user)
        self.status = status
        self.error = EchoedText.escapingInvisibles(error)
        self.usersMatched = usersMatched
        self.usersChanged = usersChanged
        self.comment = EchoedText.shown(comment)
        self.reason = reason
    }
}

public enum RunMode: String, Sendable, Codable {
    case apply
    case dryRun = "dry-run"
    case plan
    case validate
}

/// The `run` object of the report.
public struct RunInfo: Sendable, Equatable {
    public var id: UUID?
    public var job: String?
    public var mode: RunMode
    public var manifest: String
    public var manifestSHA256: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var partial: Bool

    public init(id: UUID?, job: String?, mode: RunMode, manifest: String, manifestSHA256: String?,
                startedAt: Date, finishedAt: Date?, partial: Bool) {
        self.id = id
        self.job = job
        self.mode = mode
        self.manifest = manifest
        self.manifestSHA256 = manifestSHA256
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.partial = partial
    }
}

/// One entry of the report's `tenants`.
public struct TenantOutcome: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case committed
        case rolledBack = "rolled_back"
        case dryRun = "dry_run"
        case stale
        /// The connection broke during the tenant's COMMIT and the database could not
        /// be asked afterwards.
        case unknown
    }

    /// The account as the manifest named it (slug or id).
    public var account: String
    public var accountID: UUID?
    public var outcome: Outcome
    public var rows: Int
    public var usersChanged: Int
    /// A digest of the tenant's data as the run saw it (dry runs and plans), so that
    /// applying a saved plan can tell whether the tenant changed since. Not reported.
    public var fingerprint: String?
    /// Its rows' verdicts were recorded (it ran to an end: not stopped by a signal or
    /// a lost connection first). Not reported.
    var rowsRecorded = false

    public init(account: String, accountID: UUID?, outcome: Outcome, rows: Int, usersChanged: Int) {
        self.account = account
        self.accountID = accountID
        self.outcome = outcome
        self.rows = rows
        self.usersChanged = usersChanged
    }
}

/// The report's `summary`: row count, a count for every status, and totals.
public struct ReportSummary: Sendable, Equatable {
    public var rows: Int = 0
    /// Per status, indexed like `RowStatus.allCases`: an array, not a dictionary,
    /// because this is counted once per row of manifests of millions of rows.
    private var tally = [Int](repeating: 0, count: RowStatus.allCases.count)
    public var usersChanged: Int = 0
    public var tenantsCommitted: Int = 0
    public var tenantsRolledBack: Int = 0
    /// Non-success rows grouped by `RowOutcome.reason` (or status when no reason).
    public var failureReasons: [String: Int] = [:]

    public init() {}

    /// The non-zero counts by status (for tests and callers that want a map).
    public var counts: [RowStatus: Int] {
        get {
            var map: [RowStatus: Int] = [:]
            for (index, status) in RowStatus.allCases.enumerated() where tally[index] != 0 { map[status] = tally[index] }
            return map
        }
        set {
            tally = RowStatus.allCases.map { newValue[$0] ?? 0 }
        }
    }

    public mutating func add(_ outcome: RowOutcome) {
        rows += 1
        tally[outcome.status.index] += 1
        usersChanged += outcome.usersChanged ?? 0
        if !outcome.status.isSuccess {
            failureReasons[outcome.reason ?? outcome.status.rawValue, default: 0] += 1
        }
    }

    /// One more row of `status` that needs no other bookkeeping (a valid row).
    public mutating func addSuccess(_ status: RowStatus) {
        rows += 1
        tally[status.index] += 1
    }

    public func count(_ status: RowStatus) -> Int { tally[status.index] }

    /// Every row succeeded (changed / unchanged / would_change / valid).
    public var allSucceeded: Bool {
        RowStatus.allCases.enumerated().allSatisfy { $0.element.isSuccess || tally[$0.offset] == 0 }
    }
}

extension RowStatus {
    /// Position in `allCases`.
    var index: Int {
        switch self {
        case .changed: return 0
        case .wouldChange: return 1
        case .unchanged: return 2
        case .invalid: return 3
        case .unauthorized: return 4
        case .notApplied: return 5
        case .stale: return 6
        case .error: return 7
        case .valid: return 8
        }
    }
}
