extension RowValidator {
    /// Checks field `index`, `name`, and records where its value is; returns the
    /// problem, if any.
    ///
    /// Text values (every CSV cell, JSON strings) are checked as UTF-8 bytes in
    /// place: this is the per-field cost of `validate`. Other JSON values only ever
    /// lead to a type problem, except a boolean setting.
    ///
    /// The name is checked first (unknown, which a name holding a NUL always is, then
    /// duplicate), then the value. A JSON string holding a NUL (`\u0000`) is refused
    /// whatever the field: PostgreSQL text cannot store it, and a row's account, user
    /// and comment reach the database even when the row fails. (A CSV cell cannot
    /// hold one: a NUL byte makes the whole file unusable.)
    func checkField(_ index: Int, name: String, value: FieldBytes, into state: inout RowState) -> Problem? {
        guard let allowedIndex = fieldIndex(name) else { return unknownField(name, value: value) }
        guard state.markSeen(allowedIndex) else {
            return Problem(field: name, value: nil, message: "duplicate field \(RawValue.string(name).displayed)",
                           reason: "duplicate field")
        }
        let role = role(of: allowedIndex)
        switch value {
        case .text(let bytes):
            if format != .csv {
                if FieldSyntax.containsNUL(bytes) { return nulProblem(bytes, role: role, name: name) }
                return checkText(bytes, TextSpan(field: index, offset: 0, count: bytes.count), role: role, name: name,
                                 into: &state)
            }
            // CSV: blanks around a value are ignored (not in a comment), and an
            // empty cell is "not given".
            if role == .comment {
                return bytes.isEmpty ? nil
                    : checkText(bytes, TextSpan(field: index, offset: 0, count: bytes.count), role: role, name: name,
                                into: &state)
            }
            let (offset, count) = FieldSyntax.trimmedBlanks(bytes)
            if count == 0 { return nil }
            return checkText(UnsafeBufferPointer(rebasing: bytes[offset..<offset + count]),
                             TextSpan(field: index, offset: offset, count: count), role: role, name: name, into: &state)
        case .other(.bool(let flag)):
            if case .setting(let setting) = role, format != .csv {
                state.setSetting(setting, flag)
                return nil
            }
            return typeProblem(.bool(flag), role: role, name: name)
        case .other(let other):
            return typeProblem(other, role: role, name: name)
        }
    }

    /// The problem of a field that is not one of `allowed`. Its value is never
    /// echoed (a misspelt credential field would leak the secret), but a NUL in it
    /// is said, and a name that holds a NUL is a problem of its own.
    private func unknownField(_ name: String, value: FieldBytes) -> Problem {
        if name.utf8.contains(0) {
            // No `field`: the name cannot be given as text the database or a report
            // could hold; the message spells it escaped.
            return Problem(field: nil, value: nil,
                           message: "field name \(RawValue.string(name).displayed) contains a NUL character",
                           reason: Self.nulReason)
        }
        var message = "unknown field \(RawValue.string(name).displayed)" + NearMiss.hint(for: name, among: allowed)
        if case .text(let bytes) = value, FieldSyntax.containsNUL(bytes) {
            message += "; its value contains a NUL character"
        }
        return Problem(field: name, value: nil, message: message, reason: "unknown field")
    }

    /// The `reason` of a value or field name that holds a NUL character.
    static let nulReason = "NUL character"

    /// The problem of a known field whose text holds a NUL. A credential is never
    /// shown; other values are shown as `displayed` shows them (escaped, and masked
    /// when they look like a key or token). `value` stays nil: the text cannot be
    /// stored as it is.
    private func nulProblem(_ bytes: FieldSyntax.Bytes, role: Role, name: String) -> Problem {
        let shown: String
        switch role {
        case .apiKey, .authorization: shown = " (value not shown)"
        case .account, .user, .setting, .comment:
            shown = ", got " + RawValue.string(String(decoding: bytes, as: UTF8.self)).displayed
        }
        return Problem(field: name, value: nil, message: "\(name): contains a NUL character" + shown,
                       reason: Self.nulReason)
    }

    /// What a field index stands for.
    enum Role: Equatable {
        case account, user, setting(Int), apiKey, authorization, comment
    }

    private func role(of index: Int) -> Role {
        switch index {
        case 0: return .account
        case 1: return .user
        case allowed.count - 3: return .apiKey
        case allowed.count - 2: return .authorization
        case allowed.count - 1: return .comment
        default: return .setting(index - 2)
        }
    }

    /// A text value (already trimmed for CSV), `bytes`, found at `span`.
    private func checkText(_ bytes: FieldSyntax.Bytes, _ span: TextSpan, role: Role, name: String,
                           into state: inout RowState) -> Problem? {
        switch role {
        case .account:
            if let id = FieldSyntax.uuid(bytes) {
                state.account = .id(id)
                return nil
            }
            if FieldSyntax.isSlug(bytes) {
                state.account = .slug(span)
                return nil
            }
        case .user:
            if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") {
                state.user = .all
                return nil
            }
            if let id = FieldSyntax.uuid(bytes) {
                state.user = .id(id)
                return nil
            }
            if let emailCase = FieldSyntax.email(bytes) {
                state.user = .email(span, emailCase)
                return nil
            }
        case .setting(let index):
            if format == .csv, let flag = FieldSyntax.csvBool(bytes) {
                state.setSetting(index, flag)
                return nil
            }
        case .apiKey:
            if bytes.isEmpty { return typeProblem(.string(""), role: role, name: "api_key") }
            state.apiKey = span
            return nil
        case .authorization:
            // Never puts the credential into the problem: not in the message, not as value.
            if bytes.isEmpty { return typeProblem(.string(""), role: role, name: "authorization") }
            guard let offset = FieldSyntax.bearerTokenOffset(bytes) else {
                return Problem(field: "authorization", value: nil,
                               message: "authorization: expected \"Bearer <JWT>\" (value not shown)",
                               reason: "malformed credential")
            }
            state.bearer = TextSpan(field: span.field, offset: span.offset + offset, count: span.count - offset)
            return nil
        case .comment:
            state.comment = span
            return nil
        }
        return typeProblem(.string(String(decoding: bytes, as: UTF8.self)), role: role, name: name)
    }

    /// The problem of a value that is not acceptable for `role` (wrong type or form).
    private func typeProblem(_ value: RawValue, role: Role, name: String) -> Problem {
        switch role {
        case .account:
            return Problem(field: name, value: value.diagnosticValue,
                           message: "account: expected an account id (UUID) or slug (1-63 of a-z, 0-9, -, starting "
                               + "with a letter or digit), got \(value.displayed)",
                           reason: "malformed account")
        case .user:
            return Problem(field: name, value: value.diagnosticValue,
                           message: "user: expected a user id (UUID), an email or *, got \(value.displayed)",
                           reason: "malformed user")
        case .setting:
            return Problem(field: name, value: value.diagnosticValue,
                           message: "\(name): expected true or false, got \(value.displayed)", reason: "invalid boolean")
        case .comment:
            return Problem(field: name, value: value.diagnosticValue,
                           message: "comment: expected a string, got \(value.displayed)", reason: "malformed comment")
        case .apiKey, .authorization:
            // Only the kind of value: even a non-string could be a mangled secret.
            let got: String
            switch value {
            case .string: got = "an empty string"
            case .array, .object, .null: got = value.displayed
            case .bool: got = "a boolean"
            case .number: got = "a number"
            }
            return Problem(field: name, value: nil,
                           message: "\(name): expected a non-empty string, got \(got)", reason: "malformed credential")
        }
    }
}

extension RawRow {
    /// The text at `span` (see `RowValidator.TextSpan`).
    func text(_ span: RowValidator.TextSpan) -> String {
        text(at: span.field, offset: span.offset, count: span.count)
    }
}
