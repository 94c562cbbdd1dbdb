import Foundation

/// A run's rows, staged on local disk after their schema and credential checks,
/// grouped by tenant: PostgreSQL is not needed to group them, and each row is
/// written to the database once, with its outcome, inside its tenant's transaction.
///
/// Two private scratch files (`ScratchFile`):
/// - the *display* file, in manifest order: each row's number, line, account, user
///   and comment as written, for the report;
/// - the *tenant* file: each tenant's rows (`SpooledRow`), appended in chunks from a
///   small buffer per tenant, so a tenant's rows are read back with a few large
///   reads. All buffers together stay under `bufferLimit` (flushed when it is
///   reached), so memory does not grow with the manifest; it grows only with the
///   number of tenants (an entry and a chunk list each).
final class RunSpool {
    /// One tenant's rows (or, with `accountID` nil, the rows that reached none).
    struct Bucket {
        var accountID: UUID?
        /// The account's slug as stored (nil for the no-tenant bucket).
        var slug: String?
        var firstRow: Int
        var rows = 0
        /// At least one row's credential was granted for the account: only such
        /// tenants are decided, so a caller without one learns nothing about it.
        var isDecided = false
        var chunks: [(offset: Int, count: Int)] = []
        var pending = SpoolEncoder()
    }

    private let display: ScratchFile
    private var displaySize = 0
    private var displayFrame = SpoolEncoder()
    private var displayFrames: [(offset: Int, count: Int)] = []

    private let tenantFile: ScratchFile
    private var tenantSize = 0
    private(set) var buckets: [Bucket] = []
    private var bucketIndex: [UUID?: Int] = [:]
    private var buffered = 0
    private let bufferLimit: Int

    private(set) var rowCount = 0

    init(bufferLimit: Int = 8 << 20) throws {
        display = try ScratchFile(stem: "mfa-batch-rows")
        tenantFile = try ScratchFile(stem: "mfa-batch-tenants")
        self.bufferLimit = bufferLimit
    }

    /// Adds a row (rows must come in manifest order).
    func append(_ row: SpooledRow, accountID: UUID?, slug: String?, granted: Bool) throws {
        rowCount += 1
        displayFrame.int(row.row.row)
        displayFrame.int(row.line)
        displayFrame.string(row.row.account)
        displayFrame.string(row.row.user)
        displayFrame.string(row.comment)
        if displayFrame.bytes.count >= 256 << 10 { try flushDisplay() }

        let index: Int
        if let found = bucketIndex[accountID] {
            index = found
        } else {
            index = buckets.count
            bucketIndex[accountID] = index
            buckets.append(Bucket(accountID: accountID, slug: slug, firstRow: row.row.row))
        }
        buckets[index].rows += 1
        if granted && accountID != nil { buckets[index].isDecided = true }
        let before = buckets[index].pending.bytes.count
        encode(row, into: &buckets[index].pending)
        buffered += buckets[index].pending.bytes.count - before
        if buckets[index].pending.bytes.count >= 64 << 10 { try flush(bucket: index) }
        if buffered >= bufferLimit {
            for bucket in buckets.indices where !buckets[bucket].pending.bytes.isEmpty { try flush(bucket: bucket) }
        }
    }

    /// Writes what is still buffered; call once after the last row. What it returns
    /// is read-only and may be shared by the tenant workers.
    func finish() throws -> StagedRows {
        try flushDisplay()
        for bucket in buckets.indices where !buckets[bucket].pending.bytes.isEmpty { try flush(bucket: bucket) }
        return StagedRows(display: display, displayFrames: displayFrames, tenantFile: tenantFile, buckets: buckets,
                          rowCount: rowCount)
    }

    private func flushDisplay() throws {
        guard !displayFrame.bytes.isEmpty else { return }
        try display.write(displayFrame.bytes, at: displaySize)
        displayFrames.append((displaySize, displayFrame.bytes.count))
        displaySize += displayFrame.bytes.count
        displayFrame.removeAll()
    }

    private func flush(bucket index: Int) throws {
        let bytes = buckets[index].pending.bytes
        try tenantFile.write(bytes, at: tenantSize)
        buckets[index].chunks.append((tenantSize, bytes.count))
        tenantSize += bytes.count
        buffered -= bytes.count
        buckets[index].pending = SpoolEncoder()
    }

    // MARK: Row records

    private func encode(_ spooled: SpooledRow, into out: inout SpoolEncoder) {
        let row = spooled.row
        out.int(row.row)
        out.int(spooled.line)
        out.string(row.account)
        out.string(row.user)
        out.string(spooled.comment)
        switch row.selector {
        case nil: out.u8(0)
        case .id(let id)?: out.u8(1); out.uuid(id)
        case .email(let email)?: out.u8(2); out.string(email)
        case .all?: out.u8(3)
        }
        if let settings = row.settings {
            out.u8(1); out.u64(settings.mask); out.u64(settings.values)
        } else {
            out.u8(0)
        }
        if let failure = row.failure {
            out.u8(UInt8(failure.status.index + 1)); out.string(failure.error); out.string(failure.reason)
        } else {
            out.u8(0)
        }
        // Each row carries its principal (no table of them: a manifest where every row
        // has its own credential must not grow memory with its length).
        if let principal = row.principal {
            out.u8(1)
            out.string(principal.credentialID)
            out.uuid(principal.accountID)
            if let user = principal.restrictedToUser { out.u8(1); out.uuid(user) } else { out.u8(0) }
            switch principal.key {
            case nil: out.u8(0)
            case .apiKey(let id)?: out.u8(1); out.uuid(id)
            case .jwtKey(let kid)?: out.u8(2); out.string(kid)
            }
        } else {
            out.u8(0)
        }
    }
}

/// A staged row: what the decision needs, and what the outcome record keeps.
struct SpooledRow {
    var row: TenantRow
    var line: Int
    var comment: String?
}

/// The rows of a run once staged: read-only, shared by the tenant workers.
struct StagedRows: Sendable {
    let display: ScratchFile
    let displayFrames: [(offset: Int, count: Int)]
    let tenantFile: ScratchFile
    let buckets: [RunSpool.Bucket]
    let rowCount: Int

    // MARK: Reading

    /// A bucket's rows in manifest order. Thread-safe.
    func rows(of bucket: RunSpool.Bucket) throws -> [SpooledRow] {
        var rows: [SpooledRow] = []
        rows.reserveCapacity(bucket.rows)
        for chunk in bucket.chunks {
            var decoder = SpoolDecoder(try tenantFile.read(at: chunk.offset, count: chunk.count))
            while !decoder.isAtEnd { rows.append(decode(&decoder)) }
        }
        return rows
    }

    /// Every row's number, line, account, user and comment, in manifest order.
    func forEachDisplayRow(_ body: (_ row: Int, _ line: Int, _ account: String, _ user: String, _ comment: String?) throws -> Void) throws {
        for frame in displayFrames {
            var decoder = SpoolDecoder(try display.read(at: frame.offset, count: frame.count))
            while !decoder.isAtEnd {
                let row = decoder.int()
                let line = decoder.int()
                let account = decoder.string() ?? ""
                let user = decoder.string() ?? ""
                try body(row, line, account, user, decoder.string())
            }
        }
    }

    private func decode(_ decoder: inout SpoolDecoder) -> SpooledRow {
        let number = decoder.int()
        let line = decoder.int()
        let account = decoder.string() ?? ""
        let user = decoder.string() ?? ""
        let comment = decoder.string()
        let selector: UserSelector?
        switch decoder.u8() {
        case 1: selector = .id(decoder.uuid())
        case 2: selector = .email(decoder.string() ?? "")
        case 3: selector = .all
        default: selector = nil
        }
        var settings: SettingBits?
        if decoder.u8() == 1 {
            let mask = decoder.u64()
            settings = SettingBits(mask: mask, values: decoder.u64())
        }
        var failure: TenantRow.Failure?
        let status = Int(decoder.u8())
        if status > 0 {
            let error = decoder.string() ?? ""
            failure = TenantRow.Failure(status: RowStatus.allCases[status - 1], error: error, reason: decoder.string() ?? "")
        }
        var principal: Principal?
        if decoder.u8() == 1 {
            let credentialID = decoder.string() ?? ""
            let accountID = decoder.uuid()
            let restricted: UUID? = decoder.u8() == 1 ? decoder.uuid() : nil
            let key: Principal.StoredKey?
            switch decoder.u8() {
            case 1: key = .apiKey(decoder.uuid())
            case 2: key = .jwtKey(kid: decoder.string() ?? "")
            default: key = nil
            }
            principal = Principal(credentialID: credentialID, accountID: accountID, restrictedToUser: restricted, key: key)
        }
        let row = TenantRow(row: number, account: account, user: user, selector: selector, settings: settings,
                            failure: failure, principal: principal)
        return SpooledRow(row: row, line: line, comment: comment)
    }
}
