internal import CLibPQ

/// `COPY … FROM STDIN` in text format, fed row by row from Swift values: the way to
/// move many rows into PostgreSQL in one round trip.
///
/// ```swift
/// let count = try connection.copyIn("COPY staging (a, b) FROM STDIN") { copy in
///     for row in rows { try copy.write([row.a, row.b]) }
/// }
/// ```
extension Connection {
    /// Starts the COPY, runs `body` to send rows, ends it and returns the row count
    /// the server reports. If `body` throws, the COPY is aborted (nothing is kept)
    /// and the body's error is rethrown.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (CopyInWriter) throws -> Void) throws -> Int {
        let handle = try liveHandle()
        guard let start = PQexec(handle, sql) else { throw lastError(kind: .connectionLost) }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            if status == PGRES_FATAL_ERROR { throw error(from: start) }
            throw PostgresError(kind: .client, message: "statement did not start COPY FROM STDIN")
        }
        PQclear(start)

        let writer = CopyInWriter(connection: self)
        do {
            try body(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "aborted by client")
            drainResults(handle)
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            let failure = lastError(kind: .connectionLost)
            drainResults(handle)
            throw failure
        }
        // The final result carries the outcome; then read until NULL so the
        // connection is ready for the next command.
        var outcome: Result<QueryResult, PostgresError> = .failure(lastError(kind: .connectionLost))
        var first = true
        while let result = PQgetResult(handle) {
            if first {
                do { outcome = .success(try take(result)) } catch let error as PostgresError { outcome = .failure(error) }
                first = false
            } else {
                PQclear(result)
            }
        }
        return try outcome.get().affectedRows
    }

    func putCopyData(_ bytes: [UInt8]) throws {
        let handle = try liveHandle()
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard sent == 1 else { throw lastError(kind: .connectionLost) }
    }

    func drainResults(_ handle: OpaquePointer) {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}

/// Encodes rows in COPY's text format and sends them in 64 KiB chunks.
/// Escapes backslash, tab, newline and carriage return; nil is `\N`.
public final class CopyInWriter {
    private let connection: Connection
    private var buffer: [UInt8] = []
    private let chunkSize = 64 * 1024

    init(connection: Connection) {
        self.connection = connection
        buffer.reserveCapacity(chunkSize + 4096)
    }

    public func write(_ values: [String?]) throws {
        // One access to `buffer` for the whole row (a class property appended to byte
        // by byte pays a dynamic exclusivity check per byte).
        Self.encode(values, into: &buffer)
        if buffer.count >= chunkSize { try flush() }
    }

    /// Appends one row in COPY text format: tab-separated, `\N` for NULL, and
    /// backslash, tab, LF and CR escaped.
    private static func encode(_ values: [String?], into buffer: inout [UInt8]) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(0x09) }
            guard var value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            value.withUTF8 { bytes in
                // Most values need no escape: copied in one go.
                guard bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                    buffer.append(contentsOf: bytes)
                    return
                }
                for byte in bytes {
                    switch byte {
                    case 0x5C: buffer.append(0x5C); buffer.append(0x5C)
                    case 0x09: buffer.append(0x5C); buffer.append(UInt8(ascii: "t"))
                    case 0x0A: buffer.append(0x5C); buffer.append(UInt8(ascii: "n"))
                    case 0x0D: buffer.append(0x5C); buffer.append(UInt8(ascii: "r"))
                    default: buffer.append(byte)
                    }
                }
            }
        }
        buffer.append(0x0A)
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try connection.putCopyData(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

@available(*, unavailable)
extension CopyInWriter: Sendable {}
