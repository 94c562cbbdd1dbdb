extension JSONByteScanner {
    /// One row object, at its opening brace, as `RawField`s in document order.
    ///
    /// Values keep their JSON type; a nested array or object is checked for syntax and
    /// kept only as its kind (no row field takes one). Duplicate keys are kept as two
    /// fields: the row is well-formed JSON, and the validator rejects it as a 400
    /// naming the key, since which of the two values was meant is unknowable.
    mutating func scanRowFields() throws(Failure) -> [RawField] {
        try expect(UInt8(ascii: "{"), "'{'")
        var fields: [RawField] = []
        // Room for a typical row at once (growing 1, 2, 4, 8 cost three reallocations).
        fields.reserveCapacity(8)
        try skipWhitespace()
        if try peek() == UInt8(ascii: "}") { position += 1; return fields }
        while true {
            try skipWhitespace()
            guard let quote = try peek() else { throw truncated("unterminated row object") }
            guard quote == UInt8(ascii: "\"") else { throw unexpected(quote, expected: "a field name in double quotes") }
            let key = try scanString()
            try skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            try skipWhitespace()
            fields.append(RawField(name: key, value: try scanRawValue()))
            try skipWhitespace()
            guard let b = try peek() else { throw truncated("unterminated row object") }
            if b == UInt8(ascii: "}") { position += 1; return fields }
            guard b == UInt8(ascii: ",") else { throw unexpected(b, expected: "',' or '}'") }
            position += 1
        }
    }

    private mutating func scanRawValue() throws(Failure) -> RawValue {
        guard let b = try peek() else { throw truncated("expected a value") }
        switch b {
        case UInt8(ascii: "\""): return .string(try scanString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): return try scanLiteral()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try scanNumber())
        case UInt8(ascii: "["): _ = try scanValue(depth: 1); return .array
        case UInt8(ascii: "{"): _ = try scanValue(depth: 1); return .object
        default: throw unexpected(b, expected: "a JSON value")
        }
    }

    /// What a top-level value that is not a row object is, for error messages.
    static func kind(of byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case UInt8(ascii: "{"): return "an object"
        default: return describe(byte)
        }
    }
}
