/// Where a writer is in its begin → write… → finish life, so misuse (a row after
/// `finish`, a second `finish`) is an error instead of a corrupt file.
enum WriterState: Equatable {
    case created, begun, finished

    mutating func begin() throws {
        guard self == .created else { throw ReportError.misuse("begin called twice") }
        self = .begun
    }

    func expectBegun(_ operation: String) throws {
        guard self == .begun else { throw ReportError.misuse("\(operation) outside begin…finish") }
    }
}
