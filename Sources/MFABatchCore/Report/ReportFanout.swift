import Foundation

/// Every `--report` destination behind one `ReportWriter`: each call goes to every
/// writer, in the order the options were given.
///
/// A failing `write` stops the run's reporting at once (the error is the run's to
/// handle), but `finish` finishes every writer even if one fails, so a full disk
/// under one report does not cost the other; the first error is then rethrown.
public final class ReportFanout: ReportWriter {
    private let writers: [any ReportWriter]

    /// From the `--report` values as given. The same destination twice (including
    /// `-` twice) is refused, since two writers would race for one file.
    public init(arguments: [String]) throws {
        let destinations = arguments.map(ReportDestination.init(argument:))
        var seen: Set<String> = []
        for destination in destinations {
            guard seen.insert(Self.identity(of: destination.output)).inserted else {
                throw ReportError.duplicateDestination(destination.description)
            }
        }
        var writers: [any ReportWriter] = []
        do {
            for destination in destinations { writers.append(try destination.makeWriter()) }
        } catch {
            writers.forEach { $0.discard() }
            throw error
        }
        self.writers = writers
    }

    /// `out.json` and `./out.json` are one file.
    private static func identity(of output: ReportOutput) -> String {
        switch output {
        case .file(let path): return "file:" + URL(fileURLWithPath: path).standardizedFileURL.path
        case .descriptor(let fd): return "fd:\(fd)"
        }
    }

    /// Any set of writers (tests, or a caller with writers of its own).
    public init(writers: [any ReportWriter]) {
        self.writers = writers
    }

    public var isEmpty: Bool { writers.isEmpty }

    public func begin(run: RunInfo) throws {
        for writer in writers { try writer.begin(run: run) }
    }

    public func write(_ row: RowOutcome) throws {
        for writer in writers { try writer.write(row) }
    }

    /// Whether a writer reads the rows' manifest values (an `.html` report).
    public var wantsRawRows: Bool { writers.contains { $0 is any RawRowReportWriter } }

    /// A row with its manifest values, for the writers that read them.
    public func write(_ row: RowOutcome, raw: RawRow?) throws {
        for writer in writers {
            if let writer = writer as? any RawRowReportWriter { try writer.write(row, raw: raw) } else { try writer.write(row) }
        }
    }

    public func finish(run: RunInfo, summary: ReportSummary, tenants: [TenantOutcome]) throws {
        var firstError: (any Error)?
        for writer in writers {
            do {
                try writer.finish(run: run, summary: summary, tenants: tenants)
            } catch {
                writer.discard()
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    public func discard() {
        writers.forEach { $0.discard() }
    }
}
