import Foundation

/// Every `--report` destination behind one `ReportWriter`: each call goes to every
/// writer, in the order the options were given.
///
/// A writer that fails (a full disk, standard output piped into `head`) is
/// abandoned and the others go on to the end, so one bad destination does not cost
/// the others; `finish` then throws the first error (the run's to handle).
public final class ReportFanout: ReportWriter {
    private let writers: [any ReportWriter]
    private var failures: [Int: any Error] = [:]

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
        for (index, writer) in writers.enumerated() where failures[index] == nil {
            do { try writer.begin(run: run) } catch { fail(index, error) }
        }
    }

    public func write(_ row: RowOutcome) throws {
        for (index, writer) in writers.enumerated() where failures[index] == nil {
            do { try writer.write(row) } catch { fail(index, error) }
        }
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
        for (index, writer) in writers.enumerated() where failures[index] == nil {
            do {
                try writer.finish(run: run, summary: summary, tenants: tenants)
            } catch {
                fail(index, error)
            }
        }
        if let first = failures.min(by: { $0.key < $1.key }) { throw first.value }
    }

    /// Writer `index` failed: it is abandoned (its file left as it was) and skipped
    /// from now on; `finish` throws the first such error after finishing the others.
    private func fail(_ index: Int, _ error: any Error) {
        failures[index] = error
        writers[index].discard()
    }

    public func discard() {
        writers.forEach { $0.discard() }
    }
}
