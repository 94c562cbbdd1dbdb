/// The streaming machinery shared by `JSONReader` and `JSONLinesReader`: runs one
/// parsing step over the input window, and when the window ends mid-step, refills
/// it and runs the step again from the same place (steps only commit their
/// progress when they finish). Whitespace between rows is skipped as its own
/// committing step so that no amount of it is ever buffered.
final class JSONStepper {
    let fileName: String
    private let window: InputWindow
    /// Line of `window.start`.
    private(set) var line = 1
    /// Whether any non-whitespace byte was seen (an all-blank file is "empty").
    private(set) var sawContent = false

    init(source: ByteSource, fileName: String) {
        self.fileName = fileName
        window = InputWindow(source: source)
    }

    func error(_ message: String, line: Int? = nil) -> ManifestError {
        ManifestError(file: fileName, line: line ?? self.line, message: message)
    }

    /// Skips a byte order mark at the very start of the input.
    func skipByteOrderMark() throws(ManifestError) {
        try window.skipByteOrderMark(fileName: fileName)
    }

    /// Runs `body` on a scanner positioned at the window's start; commits its
    /// position and line when it returns.
    func step<T>(singleLine: Bool = false,
                 _ body: (inout JSONByteScanner) throws(JSONByteScanner.Failure) -> T) throws(ManifestError) -> T {
        while true {
            var scanner = JSONByteScanner(base: window.base, position: window.start, end: window.end,
                                          atEOF: window.atEOF, line: line)
            scanner.stopAtLineBreak = singleLine
            do throws(JSONByteScanner.Failure) {
                let result = try body(&scanner)
                if scanner.position - window.start > ManifestLimits.maxRowBytes {
                    // Complete, but only because the window had grown past the cap.
                    throw JSONByteScanner.Failure.syntax(line: line, message: ManifestLimits.rowTooLong)
                }
                if scanner.position > window.start { sawContent = true }
                window.start = scanner.position
                line = scanner.line
                return result
            } catch {
                switch error {
                case .needMore:
                    if window.available > ManifestLimits.maxRowBytes {
                        throw self.error(ManifestLimits.rowTooLong)
                    }
                    _ = try fill()
                case .syntax(let line, let message):
                    throw self.error(message, line: line)
                }
            }
        }
    }

    /// Skips whitespace (JSON's, or only blanks and CR when `lineBreaks` is false),
    /// committing as it goes. Returns the next byte, nil at the end of input.
    func skipWhitespace(lineBreaks: Bool = true) throws(ManifestError) -> UInt8? {
        while true {
            var scanner = JSONByteScanner(base: window.base, position: window.start, end: window.end,
                                          atEOF: window.atEOF, line: line)
            do {
                if lineBreaks { try scanner.skipWhitespace() } else { try scanner.skipBlanksOnLine() }
                window.start = scanner.position
                line = scanner.line
                return try scanner.peek()
            } catch {
                window.start = scanner.position
                line = scanner.line
                _ = try fill()
            }
        }
    }

    /// Consumes one byte already seen by `skipWhitespace` (a line break counts a line).
    func consume(_ byte: UInt8) {
        window.start += 1
        if byte == 0x0A { line += 1 }
    }

    private func fill() throws(ManifestError) -> Bool {
        try window.fill(fileName: fileName, line: line)
    }
}

@available(*, unavailable)
extension JSONStepper: Sendable {}
