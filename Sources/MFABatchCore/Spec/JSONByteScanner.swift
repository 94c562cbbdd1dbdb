/// A JSON tokenizer over a window of bytes, shared by the spec loader and the
/// streaming manifest readers.
///
/// Why our own: Foundation's `JSONSerialization` loses the key order the settings
/// schema depends on, cannot report the line of a row's opening brace, and needs the
/// whole document in memory. This scanner works on bytes (no per-character `String`
/// work) and counts lines as it goes.
///
/// The window may end before the document does (a streaming reader's buffer). When
/// the scanner runs out of bytes and `atEOF` is false it throws `.needMore`; the
/// reader then refills its buffer and restarts the current row from its beginning,
/// which is why scanning never mutates anything outside this struct.
struct JSONByteScanner {
    enum Failure: Error, Equatable {
        /// The window ended in the middle of a token; read more and retry.
        case needMore
        /// The bytes are not JSON (or not acceptable JSON): line and message.
        case syntax(line: Int, message: String)
    }

    /// Nested arrays/objects deeper than this are refused rather than risking the stack.
    static let maxDepth = 128

    let base: UnsafePointer<UInt8>
    var position: Int
    let end: Int
    let atEOF: Bool
    /// 1-based line of `position`.
    var line: Int
    /// JSON Lines: a line break inside a value is an error, not whitespace, so that a
    /// truncated line is reported on its own line.
    var stopAtLineBreak = false

    init(base: UnsafePointer<UInt8>, position: Int, end: Int, atEOF: Bool, line: Int) {
        self.base = base
        self.position = position
        self.end = end
        self.atEOF = atEOF
        self.line = line
    }

    // MARK: - Bytes

    /// The next byte without consuming it; `nil` at the real end of input.
    mutating func peek() throws(Failure) -> UInt8? {
        if position < end { return base[position] }
        if atEOF { return nil }
        throw .needMore
    }

    /// Skips JSON whitespace (space, tab, CR, LF), counting lines.
    mutating func skipWhitespace() throws(Failure) {
        while true {
            guard position < end else {
                if atEOF { return }
                throw .needMore
            }
            switch base[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                if stopAtLineBreak {
                    throw .syntax(line: line, message: "the row is not complete at the end of its line "
                        + "(JSON Lines: one complete object a line)")
                }
                position += 1; line += 1
            default: return
            }
        }
    }

    /// Skips spaces, tabs and CR only (JSON Lines: a row must not span lines).
    mutating func skipBlanksOnLine() throws(Failure) {
        while true {
            guard position < end else {
                if atEOF { return }
                throw .needMore
            }
            switch base[position] {
            case 0x20, 0x09, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Consumes `byte` or fails with "expected `what`".
    mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
        guard let b = try peek() else { throw truncated("expected \(what)") }
        guard b == byte else { throw unexpected(b, expected: what) }
        position += 1
    }

    func truncated(_ detail: String) -> Failure {
        .syntax(line: line, message: "truncated JSON: \(detail) at the end of the file")
    }

    func unexpected(_ byte: UInt8, expected: String) -> Failure {
        .syntax(line: line, message: "expected \(expected), got \(Self.describe(byte))")
    }

    /// A byte as an operator would recognize it in an error message.
    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x00: return "NUL byte"
        case 0xEF: return "byte 0xEF (a byte order mark?)"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
        }
    }

    // MARK: - Literals and numbers

    /// `true`, `false` or `null` starting at the current byte.
    mutating func scanLiteral() throws(Failure) -> RawValue {
        let first = base[position]
        // Static text: no array per literal (every JSON row has a boolean or two).
        let word: StaticString = first == UInt8(ascii: "t") ? "true" : first == UInt8(ascii: "f") ? "false" : "null"
        for i in 0..<word.utf8CodeUnitCount {
            guard let b = try peek() else { throw truncated("unfinished literal") }
            guard b == word.utf8Start[i] else { throw unexpected(b, expected: "a JSON value") }
            position += 1
        }
        try requireDelimiter()
        switch first {
        case UInt8(ascii: "t"): return .bool(true)
        case UInt8(ascii: "f"): return .bool(false)
        default: return .null
        }
    }

    /// A number per RFC 8259's grammar, kept as written.
    mutating func scanNumber() throws(Failure) -> String {
        let start = position
        if try peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = try peek(), isDigit(first) else { throw malformedNumber() }
        position += 1
        if first != UInt8(ascii: "0") { try skipDigits() }
        if try peek() == UInt8(ascii: ".") {
            position += 1
            guard let d = try peek(), isDigit(d) else { throw malformedNumber() }
            try skipDigits()
        }
        if let e = try peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = try peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            guard let d = try peek(), isDigit(d) else { throw malformedNumber() }
            try skipDigits()
        }
        try requireDelimiter()
        return String(decoding: UnsafeBufferPointer(start: base + start, count: position - start), as: UTF8.self)
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private mutating func skipDigits() throws(Failure) {
        while let b = try peek(), isDigit(b) { position += 1 }
    }

    private func malformedNumber() -> Failure { .syntax(line: line, message: "malformed number") }

    /// After a literal or number the next byte must end the token (`01`, `truex`).
    private mutating func requireDelimiter() throws(Failure) {
        guard let b = try peek() else { return }
        switch b {
        case 0x20, 0x09, 0x0D, 0x0A, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"): return
        default: throw unexpected(b, expected: "',', ']' or '}'")
        }
    }
}
