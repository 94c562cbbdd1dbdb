/// Reads a JSON manifest, `[ {row}, … ]` or `{"changes": [ {row}, … ]}`, one row
/// object at a time without holding the document: the top-level array is split
/// incrementally and each element is decoded alone.
///
/// - Any other top-level value (a scalar, an object with another key, a second
///   `changes`) is a `ManifestError`, as is anything after the end of the manifest.
/// - An element that is not an object (an array, a string, …) is a `ManifestError`:
///   it has no fields to report on and could not be written back to a rejects file.
/// - `[]` and `{"changes": []}` are valid, empty manifests; an empty (or all-blank)
///   file is a `ManifestError`.
/// - A row's `line` is the line of its opening brace, also in pretty-printed files.
/// - Duplicate keys in a row reach the validator as two fields (a 400 there).
public final class JSONReader: ManifestReader {
    public var format: ManifestFormat { .json }
    public var fileName: String { stepper.fileName }
    public var columns: [String]? { nil }

    private enum State { case start, arrayStart, afterElement, afterComma, afterArray, done }
    private var state = State.start
    /// Inside `{"changes": …}`, not yet closed.
    private var wrapped = false
    private var rowNumber = 0
    private let stepper: JSONStepper

    init(source: ByteSource, fileName: String) {
        stepper = JSONStepper(source: source, fileName: fileName)
    }

    /// Reads bytes in memory, `chunkSize` bytes at a time.
    public convenience init(bytes: [UInt8], fileName: String = "manifest.json",
                            chunkSize: Int = ManifestLimits.chunkBytes) {
        self.init(source: ByteSource(bytes: bytes, maxChunk: chunkSize), fileName: fileName)
    }

    public func next() throws(ManifestError) -> RawRow? {
        while true {
            switch state {
            case .done:
                return nil
            case .start:
                try stepper.skipByteOrderMark()
                try start()
            case .arrayStart, .afterComma, .afterElement:
                guard let b = try stepper.skipWhitespace() else {
                    throw stepper.error("truncated JSON: the array of rows is not closed at the end of the file")
                }
                if b == UInt8(ascii: "]") && state != .afterComma {
                    stepper.consume(b)
                    state = .afterArray
                } else if state == .afterElement {
                    guard b == UInt8(ascii: ",") else {
                        throw stepper.error("expected ',' or ']' after a row, got \(JSONByteScanner.describe(b))")
                    }
                    stepper.consume(b)
                    state = .afterComma
                } else {
                    guard b == UInt8(ascii: "{") else {
                        throw stepper.error("row \(rowNumber + 1): expected a row object, got \(JSONByteScanner.kind(of: b))")
                    }
                    let line = stepper.line
                    let fields = try stepper.step { (scanner) throws(JSONByteScanner.Failure) in try scanner.scanRowFields() }
                    rowNumber += 1
                    state = .afterElement
                    return RawRow(row: rowNumber, line: line, fields: fields)
                }
            case .afterArray:
                try finish()
            }
        }
    }

    /// The opening `[` or `{"changes": [`.
    private func start() throws(ManifestError) {
        guard let b = try stepper.skipWhitespace() else {
            throw ManifestError(file: stepper.fileName, line: nil, message: "empty file: expected an array of row objects")
        }
        switch b {
        case UInt8(ascii: "["):
            stepper.consume(b)
        case UInt8(ascii: "{"):
            let line = stepper.line
            let key: String? = try stepper.step { (scanner) throws(JSONByteScanner.Failure) -> String? in
                try scanner.expect(UInt8(ascii: "{"), "'{'")
                try scanner.skipWhitespace()
                if try scanner.peek() == UInt8(ascii: "}") { return nil }
                let key = try scanner.scanString()
                guard key == "changes" else { return key }
                try scanner.skipWhitespace()
                try scanner.expect(UInt8(ascii: ":"), "':'")
                try scanner.skipWhitespace()
                return key
            }
            guard let key, key == "changes" else {
                throw ManifestError(file: stepper.fileName, line: line, value: key,
                                    message: (key.map { "unexpected top-level key \(JSONText.string($0)): " }
                                                  ?? "empty object: ")
                                        + "a manifest object must be {\"changes\": [ … ]}")
            }
            guard let open = try stepper.skipWhitespace(), open == UInt8(ascii: "[") else {
                throw stepper.error("\"changes\" must be an array of row objects")
            }
            stepper.consume(open)
            wrapped = true
        default:
            throw stepper.error("a JSON manifest must be an array of row objects or {\"changes\": [ … ]}, got "
                + JSONByteScanner.kind(of: b))
        }
        state = .arrayStart
    }

    /// After the array: the wrapper's `}` if any, then the end of the file.
    private func finish() throws(ManifestError) {
        let b = try stepper.skipWhitespace()
        if wrapped {
            guard let b else {
                throw stepper.error("truncated JSON: the top-level object is not closed at the end of the file")
            }
            if b == UInt8(ascii: "}") {
                stepper.consume(b)
                wrapped = false
                return
            }
            guard b == UInt8(ascii: ",") else {
                throw stepper.error("expected '}' after the changes array, got \(JSONByteScanner.describe(b))")
            }
            stepper.consume(b)
            _ = try stepper.skipWhitespace()
            let line = stepper.line
            let key = try stepper.step { (scanner) throws(JSONByteScanner.Failure) in try scanner.scanString() }
            throw ManifestError(file: stepper.fileName, line: line, value: key,
                                message: key == "changes" ? "duplicate top-level key \"changes\""
                                    : "unexpected top-level key \(JSONText.string(key)): "
                                        + "a manifest object must be {\"changes\": [ … ]}")
        }
        guard let b else {
            state = .done
            return
        }
        throw stepper.error("unexpected \(JSONByteScanner.describe(b)) after the end of the manifest")
    }
}

@available(*, unavailable)
extension JSONReader: Sendable {}
