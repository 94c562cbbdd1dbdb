import Foundation

/// A parsed JSON value that keeps object members in document order (and keeps
/// duplicate keys), which `JSONSerialization` does not. The settings schema's field
/// order is the order of the spec's `properties`, so order is part of the meaning.
indirect enum OrderedJSON: Sendable, Equatable {
    case object([Member])
    case array([OrderedJSON])
    case string(String)
    /// As written, e.g. `1.5e3`.
    case number(String)
    case bool(Bool)
    case null

    struct Member: Sendable, Equatable {
        var key: String
        var value: OrderedJSON
    }

    /// The first member named `key` of an object; nil for a non-object.
    subscript(key: String) -> OrderedJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Parses a complete document (one value, surrounded only by whitespace; a
    /// leading UTF-8 byte order mark is allowed unless `strict`, RFC 8259 §8.1's
    /// "MUST NOT add a byte order mark" for what goes between systems, e.g. a JWT).
    /// Strict RFC 8259 otherwise: UTF-8 only (UTF-16 is NUL bytes here), no
    /// trailing commas, no comments, exact number grammar.
    static func parse(_ data: Data, strict: Bool = false) throws(JSONByteScanner.Failure) -> OrderedJSON {
        try parse([UInt8](data), strict: strict)
    }

    static func parse(_ bytes: [UInt8], strict: Bool = false) throws(JSONByteScanner.Failure) -> OrderedJSON {
        return try bytes.withUnsafeBufferPointer { (buffer) throws(JSONByteScanner.Failure) -> OrderedJSON in
            guard let base = buffer.baseAddress, !buffer.isEmpty else {
                throw .syntax(line: 1, message: "empty document")
            }
            var start = 0
            if !strict && buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
            var scanner = JSONByteScanner(base: base, position: start, end: buffer.count, atEOF: true, line: 1)
            try scanner.skipWhitespace()
            let value = try scanner.scanValue(depth: 0)
            try scanner.skipWhitespace()
            if let extra = try scanner.peek() {
                throw scanner.unexpected(extra, expected: "the end of the document")
            }
            return value
        }
    }
}

extension JSONByteScanner {
    /// Any JSON value at the current position (whitespace already skipped).
    mutating func scanValue(depth: Int) throws(Failure) -> OrderedJSON {
        guard let b = try peek() else { throw truncated("expected a value") }
        switch b {
        case UInt8(ascii: "{"): return .object(try scanObjectMembers(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try scanArrayElements(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try scanString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            switch try scanLiteral() {
            case .bool(let v): return .bool(v)
            default: return .null
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try scanNumber())
        default:
            throw unexpected(b, expected: "a JSON value")
        }
    }

    private func checkDepth(_ depth: Int) throws(Failure) {
        if depth > Self.maxDepth {
            throw .syntax(line: line, message: "nested more than \(Self.maxDepth) levels deep")
        }
    }

    mutating func scanObjectMembers(depth: Int) throws(Failure) -> [OrderedJSON.Member] {
        try checkDepth(depth)
        try expect(UInt8(ascii: "{"), "'{'")
        var members: [OrderedJSON.Member] = []
        try skipWhitespace()
        if try peek() == UInt8(ascii: "}") { position += 1; return members }
        while true {
            try skipWhitespace()
            let key = try scanString()
            try skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            try skipWhitespace()
            members.append(.init(key: key, value: try scanValue(depth: depth)))
            try skipWhitespace()
            guard let b = try peek() else { throw truncated("unterminated object") }
            position += 1
            if b == UInt8(ascii: "}") { return members }
            guard b == UInt8(ascii: ",") else { position -= 1; throw unexpected(b, expected: "',' or '}'") }
        }
    }

    mutating func scanArrayElements(depth: Int) throws(Failure) -> [OrderedJSON] {
        try checkDepth(depth)
        try expect(UInt8(ascii: "["), "'['")
        var elements: [OrderedJSON] = []
        try skipWhitespace()
        if try peek() == UInt8(ascii: "]") { position += 1; return elements }
        while true {
            try skipWhitespace()
            elements.append(try scanValue(depth: depth))
            try skipWhitespace()
            guard let b = try peek() else { throw truncated("unterminated array") }
            position += 1
            if b == UInt8(ascii: "]") { return elements }
            guard b == UInt8(ascii: ",") else { position -= 1; throw unexpected(b, expected: "',' or ']'") }
        }
    }
}
