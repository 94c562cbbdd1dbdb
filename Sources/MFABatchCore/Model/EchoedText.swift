/// Every value a run repeats back — the report's `account`, `user` and `comment`,
/// what `run_outcomes` stores of them, and values quoted in messages — goes through
/// here, so that one rule holds everywhere:
///
/// - a value that holds anything that looks like a credential (`CredentialFields.
///   containsCredential`: an mfa-batch key, a `Bearer` header, a JWT), in whatever
///   field it was put, is replaced by `redacted`;
/// - a value is cut to `maxCharacters` (the last one an ellipsis), so a 1 MB cell
///   cannot bloat a report, a message or the database;
/// - in messages, invisible characters (zero-width and no-break spaces, bidi
///   controls, other format and control characters) are spelled `\uXXXX`, so that
///   `user: bob\u200b@acme.test not found` says why it was not found.
public enum EchoedText {
    /// The most characters (Unicode scalars) an echoed value keeps; a longer one is
    /// cut there and ends in `…`.
    public static let maxCharacters = 200
    /// What stands in for a value that looks like a credential.
    public static let redacted = "[redacted: looks like a credential]"

    /// `text` as a report column or stored outcome shows it: redacted or bounded.
    public static func shown(_ text: String) -> String {
        if CredentialFields.containsCredential(text) { return redacted }
        return bounded(text)
    }

    /// `shown` for an optional value.
    public static func shown(_ text: String?) -> String? {
        text.map(shown)
    }

    /// `text` cut to its first `limit` scalars and `…` when longer (unchanged when it
    /// fits, and unchanged when cut again: the first `limit` scalars are the same).
    public static func bounded(_ text: String, to limit: Int = maxCharacters) -> String {
        let scalars = text.unicodeScalars
        guard !scalars.dropFirst(limit).isEmpty else { return text }
        var cut = String.UnicodeScalarView(scalars.prefix(limit))
        cut.append("…")
        return String(cut)
    }

    /// `text` with every invisible or control character (other than a plain space,
    /// tab, line feed and carriage return) spelled as a JSON escape, `\u200b`; a supplementary one as its surrogate pair.
    /// The text itself when it has none (ASCII text is checked byte by byte).
    public static func escapingInvisibles(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 || ($0 < 0x20 && !isLineSpace($0)) || $0 == 0x7F }) else {
            return text
        }
        guard text.unicodeScalars.contains(where: isInvisible) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 12)
        for scalar in text.unicodeScalars {
            guard isInvisible(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    /// `escapingInvisibles` for an optional message.
    public static func escapingInvisibles(_ text: String?) -> String? {
        text.map(escapingInvisibles)
    }

    /// Tab, LF and CR: the layout of a multi-line database message, kept as is.
    private static func isLineSpace(_ byte: UInt8) -> Bool { byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// Characters a reader cannot see: controls, format characters (zero-width
    /// space and joiners, bidi controls, the BOM), every space but U+0020, line and
    /// paragraph separators, and the other default-ignorable code points (Hangul
    /// fillers, variation selectors, tags).
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            return (scalar.value < 0x20 && !isLineSpace(UInt8(scalar.value))) || scalar.value == 0x7F
        }
        if scalar.properties.isDefaultIgnorableCodePoint { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse,
             .surrogate:
            return true
        default:
            return false
        }
    }
}
