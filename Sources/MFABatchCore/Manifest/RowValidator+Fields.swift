extension RowValidator {
    /// Checks one field and records its value; returns the problem, if any.
    ///
    /// Text values (every CSV cell, JSON strings) go through the `String` checks
    /// directly, without copying the `RawValue` around: this is the per-field cost
    /// of `validate`. Other JSON values only ever lead to a type problem, except a
    /// boolean setting.
    func checkField(_ field: RawField, into state: inout RowState) -> Problem? {
        let name = field.name
        guard let index = fieldIndex(name) else {
            return Problem(field: name, value: nil,
                           message: "unknown field \(RawValue.string(name).displayed)"
                               + NearMiss.hint(for: name, among: allowed),
                           reason: "unknown field")
        }
        guard state.markSeen(index) else {
            return Problem(field: name, value: nil, message: "duplicate field \(RawValue.string(name).displayed)",
                           reason: "duplicate field")
        }
        let role = role(of: index)
        switch field.value {
        case .string(let text):
            if format != .csv { return checkText(text, role: role, name: name, into: &state) }
            // CSV: blanks around a value are ignored (not in a comment), and an empty
            // cell is "not given".
            if role == .comment { return text.isEmpty ? nil : checkText(text, role: role, name: name, into: &state) }
            let trimmed = CSVHeader.trimBlanks(text)
            return trimmed.isEmpty ? nil : checkText(trimmed, role: role, name: name, into: &state)
        case .bool(let flag):
            if case .setting(let setting) = role, format != .csv {
                state.setSetting(setting, flag)
                return nil
            }
            return typeProblem(field.value, role: role, name: name)
        default:
            return typeProblem(field.value, role: role, name: name)
        }
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

    /// A text value (already trimmed for CSV) for a field of `role`.
    private func checkText(_ text: String, role: Role, name: String, into state: inout RowState) -> Problem? {
        switch role {
        case .account:
            if let id = FieldSyntax.uuid(text) {
                state.account = .id(id)
                return nil
            }
            if FieldSyntax.isSlug(text) {
                state.account = .slug(text)
                return nil
            }
        case .user:
            if text.utf8.count == 1 && text.utf8.first == UInt8(ascii: "*") {
                state.user = .all
                return nil
            }
            if let id = FieldSyntax.uuid(text) {
                state.user = .id(id)
                return nil
            }
            if let email = FieldSyntax.email(text) {
                state.user = .email(email)
                return nil
            }
        case .setting(let index):
            if format == .csv, let flag = FieldSyntax.csvBool(text) {
                state.setSetting(index, flag)
                return nil
            }
        case .apiKey, .authorization:
            return checkCredential(text, role: role, into: &state)
        case .comment:
            state.comment = text
            return nil
        }
        return typeProblem(.string(text), role: role, name: name)
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

    /// Never puts the credential into the problem: not in the message, not as value.
    private func checkCredential(_ text: String, role: Role, into state: inout RowState) -> Problem? {
        if text.isEmpty { return typeProblem(.string(text), role: role, name: role == .apiKey ? "api_key" : "authorization") }
        if role == .apiKey {
            state.apiKey = text
            return nil
        }
        guard let token = FieldSyntax.bearerToken(text) else {
            return Problem(field: "authorization", value: nil,
                           message: "authorization: expected \"Bearer <JWT>\" (value not shown)",
                           reason: "malformed credential")
        }
        state.bearer = token
        return nil
    }
}
