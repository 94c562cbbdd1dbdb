extension RowValidator {
    /// Checks one field and records its value; returns the problem, if any.
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
        let commentIndex = allowed.count - 1
        // CSV: blanks around a value are ignored (not in a comment), and an empty
        // cell is "not given".
        var value = field.value
        if format == .csv, case .string(let text) = value {
            if index == commentIndex {
                if text.isEmpty { return nil }
            } else {
                let trimmed = CSVHeader.trimBlanks(text)
                if trimmed.isEmpty { return nil }
                if trimmed.utf8.count != text.utf8.count { value = .string(trimmed) }
            }
        }
        switch index {
        case 0: return checkAccount(value, into: &state)
        case 1: return checkUser(value, into: &state)
        case allowed.count - 3, allowed.count - 2: return checkCredential(name, value, into: &state)
        case commentIndex:
            guard case .string(let text) = value else {
                return Problem(field: name, value: value.diagnosticValue,
                               message: "comment: expected a string, got \(value.displayed)", reason: "malformed comment")
            }
            state.comment = text
            return nil
        default:
            return checkSetting(name, index - 2, value, into: &state)
        }
    }

    private func checkAccount(_ value: RawValue, into state: inout RowState) -> Problem? {
        if case .string(let text) = value {
            if let id = FieldSyntax.uuid(text) {
                state.account = .id(id)
                return nil
            }
            if FieldSyntax.isSlug(text) {
                state.account = .slug(text)
                return nil
            }
        }
        return Problem(field: "account", value: value.diagnosticValue,
                       message: "account: expected an account id (UUID) or slug (1-63 of a-z, 0-9, -, starting "
                           + "with a letter or digit), got \(value.displayed)",
                       reason: "malformed account")
    }

    private func checkUser(_ value: RawValue, into state: inout RowState) -> Problem? {
        if case .string(let text) = value {
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
        }
        return Problem(field: "user", value: value.diagnosticValue,
                       message: "user: expected a user id (UUID), an email or *, got \(value.displayed)",
                       reason: "malformed user")
    }

    private func checkSetting(_ name: String, _ index: Int, _ value: RawValue,
                              into state: inout RowState) -> Problem? {
        switch (format, value) {
        case (.json, .bool(let flag)), (.jsonl, .bool(let flag)):
            state.setSetting(index, flag)
            return nil
        case (.csv, .string(let text)):
            if let flag = FieldSyntax.csvBool(text) {
                state.setSetting(index, flag)
                return nil
            }
        default:
            break
        }
        return Problem(field: name, value: value.diagnosticValue,
                       message: "\(name): expected true or false, got \(value.displayed)", reason: "invalid boolean")
    }

    /// Never puts the credential into the problem: not in the message, not as value.
    private func checkCredential(_ name: String, _ value: RawValue, into state: inout RowState) -> Problem? {
        guard case .string(let text) = value, !text.isEmpty else {
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
        if name == "api_key" {
            state.apiKey = text
            return nil
        }
        guard let token = FieldSyntax.bearerToken(text) else {
            return Problem(field: name, value: nil,
                           message: "authorization: expected \"Bearer <JWT>\" (value not shown)",
                           reason: "malformed credential")
        }
        state.bearer = token
        return nil
    }
}
