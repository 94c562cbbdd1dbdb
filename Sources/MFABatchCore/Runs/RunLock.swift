import Foundation
import Postgres

/// The locks that say "this run is alive" and "this job is running", held for the
/// whole run on a connection of their own, inside one open transaction with
/// transaction-level advisory locks (`pg_try_advisory_xact_lock`). When the process
/// dies, however it dies, the connection closes and the locks go with it, so a
/// killed run never blocks the next. An open transaction (not session-level locks)
/// also keeps this correct behind a transaction-pooling PgBouncer, which pins a
/// server connection to a client for as long as its transaction is open.
///
/// The transaction only takes locks: it holds no snapshot and writes nothing.
public final class RunLock {
    private let connection: Connection

    /// Lock keys: run liveness is (class 1297, low bits of the run id), which
    /// `isAliveSQL` finds in `pg_locks`; a job is a 64-bit hash of its name.
    static let runClass: Int32 = 1297

    public enum Failure: Error {
        /// Another live run holds the job.
        case jobRunning(job: String, holder: RunningRun?)
    }

    /// A run that holds a job, as `job_runs` knows it.
    public struct RunningRun: Sendable {
        public var id: String
        public var startedAt: String
        public var host: String?
        public var pid: String?
    }

    /// Takes the run's liveness lock and, with `job`, the job's; throws
    /// `Failure.jobRunning` at once when the job is held.
    public init(settings: ConnectionSettings, runID: UUID, job: String?) throws {
        connection = try Connection(settings: settings)
        try connection.query("BEGIN")
        if let job {
            let got = try connection.query(
                "SELECT pg_try_advisory_xact_lock(hashtextextended('mfa_batch.job:' || $1, 0))", [job]).scalar
            if got != "t" {
                let holder = try RunLock.runningRun(connection, job: job)
                connection.close()
                throw Failure.jobRunning(job: job, holder: holder)
            }
        }
        try connection.query("SELECT pg_advisory_xact_lock($1, $2)", [RunLock.runClass, RunLock.runKey(runID)])
    }

    deinit { connection.close() }

    /// Throws when the lock connection, and so its locks, are gone.
    func check() throws {
        try connection.query("SELECT 1")
        guard connection.transactionStatus == .inTransaction else {
            throw PostgresError(kind: .connectionLost, message: "the lock transaction ended")
        }
    }

    /// Releases the locks (ends the transaction and the connection).
    public func release() {
        connection.rollbackIgnoringErrors()
        connection.close()
    }

    /// The low 32 bits of the run id, as the lock's second key.
    static func runKey(_ id: UUID) -> Int32 {
        let u = id.uuid
        return Int32(bitPattern: UInt32(u.12) << 24 | UInt32(u.13) << 16 | UInt32(u.14) << 8 | UInt32(u.15))
    }

    static func runningRun(_ connection: Connection, job: String) throws -> RunningRun? {
        let result = try connection.query("""
            SELECT id, \(ISOTimestampSQL.render("started_at")), host, pid FROM job_runs
            WHERE job = $1 AND outcome = 'running' ORDER BY started_at DESC LIMIT 1
            """, [job])
        guard let row = result.rows.first else { return nil }
        return RunningRun(id: row[0] ?? "", startedAt: row[1] ?? "", host: row[2], pid: row[3])
    }

    /// SQL that is true while the run with id `$column` still holds its liveness lock.
    static func isAliveSQL(_ column: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks l
                WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.classid = \(runClass)::oid
                  AND l.objid = ('x' || right(replace(\(column)::text, '-', ''), 8))::bit(32)::bigint::oid)
        """
    }

    /// Marks runs that are recorded as running but whose process is gone as `died`.
    public static func markDeadRuns(_ connection: Connection) throws {
        try connection.query("""
            UPDATE job_runs r SET outcome = 'died'
            WHERE r.outcome = 'running' AND NOT \(isAliveSQL("r.id"))
            """)
    }
}

@available(*, unavailable)
extension RunLock: Sendable {}
