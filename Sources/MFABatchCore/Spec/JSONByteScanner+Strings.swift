extension JSONByteScanner {
    /// A JSON string starting at its opening quote, unescaped.
    ///
    /// Raw control characters (including NUL), invalid UTF-8, a raw byte order mark
    /// and unpaired surrogate escapes are syntax errors. The common case (no escapes)
    /// makes one `String` straight from the window.
    mutating func scanString() throws(Failure) -> String {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        var nonASCII = false
        while true {
            guard position < end else {
                if atEOF { throw truncated("unterminated string") }
                throw .needMore
            }
            let b = base[position]
            if b == UInt8(ascii: "\"") {
                let text = try decoded(base + start, count: position - start, nonASCII: nonASCII)
                position += 1
                return text
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw controlCharacter(b) }
            if b >= 0x80 { nonASCII = true }
            position += 1
        }
        // Slow path: escapes present. Copy what we have and unescape the rest. A raw
        // byte order mark is refused as it is read; an escaped one (`\uFEFF`) is
        // just a character of the string.
        var bytes = Array(UnsafeBufferPointer(start: base + start, count: position - start))
        if ByteText.byteOrderMarkOffset(UnsafeBufferPointer(start: base + start, count: position - start)) != nil {
            throw .syntax(line: line, message: Self.byteOrderMarkInside)
        }
        var rawRun = bytes.count
        while true {
            guard position < end else {
                if atEOF { throw truncated("unterminated string") }
                throw .needMore
            }
            let b = base[position]
            switch b {
            case UInt8(ascii: "\""):
                position += 1
                return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> String in
                    if ByteText.firstInvalidOffset(buffer) != nil { throw .syntax(line: line, message: "invalid UTF-8") }
                    return String(decoding: buffer, as: UTF8.self)
                }
            case UInt8(ascii: "\\"):
                position += 1
                try unescape(into: &bytes)
                rawRun = 0
            case 0x00..<0x20:
                throw controlCharacter(b)
            default:
                bytes.append(b)
                rawRun += 1
                position += 1
                if b == 0xBF && rawRun >= 3 && bytes[bytes.count - 3] == 0xEF && bytes[bytes.count - 2] == 0xBB {
                    throw .syntax(line: line, message: Self.byteOrderMarkInside)
                }
            }
        }
    }

    /// A raw EF BB BF inside the document (files joined with `cat`).
    static let byteOrderMarkInside = "byte order mark (U+FEFF) in the middle of the file"

    private func controlCharacter(_ b: UInt8) -> Failure {
        if b == 0x0A { return .syntax(line: line, message: "unterminated string (a line break inside a string must be written \\n)") }
        return .syntax(line: line, message: "\(Self.describe(b)) inside a string (control characters must be escaped)")
    }

    private func decoded(_ start: UnsafePointer<UInt8>, count: Int, nonASCII: Bool) throws(Failure) -> String {
        switch ByteText.decode(start, count: count, nonASCII: nonASCII) {
        case .text(let text): return text
        case .invalidUTF8: throw .syntax(line: line, message: "invalid UTF-8")
        case .byteOrderMark:
            throw .syntax(line: line, message: Self.byteOrderMarkInside)
        }
    }

    /// One escape after its backslash.
    private mutating func unescape(into bytes: inout [UInt8]) throws(Failure) {
        guard let e = try peek() else { throw truncated("unterminated string") }
        position += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard try peek() == UInt8(ascii: "\\") else { throw badSurrogate() }
                position += 1
                guard try peek() == UInt8(ascii: "u") else { throw badSurrogate() }
                position += 1
                let low = try hex4()
                guard low >= 0xDC00 && low <= 0xDFFF else { throw badSurrogate() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw badSurrogate()
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw badSurrogate() }
            bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw .syntax(line: line, message: "invalid escape \\\(Self.describe(e))")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let h = try peek() else { throw truncated("unterminated string") }
            let digit: UInt8
            switch h {
            case 0x30...0x39: digit = h - 0x30
            case 0x41...0x46: digit = h - 0x41 + 10
            case 0x61...0x66: digit = h - 0x61 + 10
            default: throw .syntax(line: line, message: "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private func badSurrogate() -> Failure {
        .syntax(line: line, message: "invalid \\u escape (unpaired UTF-16 surrogate)")
    }
}
