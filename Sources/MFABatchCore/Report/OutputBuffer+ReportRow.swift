/// The one encoding of a report row, shared by every JSON output of rows.
extension OutputBuffer {
    /// `{"row": 1, "line": 2, "account": …, "user": …, "status": …, "code": …,
    /// "error": …, "users_matched": …, "users_changed": …, "comment": …}` on one line,
    /// so a report can be grepped a row at a time.
    mutating func appendJSONRow(_ row: RowOutcome) {
        append("{\"row\": ")
        append(row.row)
        append(", \"line\": ")
        append(row.line)
        append(", \"account\": ")
        appendJSONString(row.account)
        append(", \"user\": ")
        appendJSONString(row.user)
        append(", \"status\": ")
        appendJSONString(row.status.rawValue)
        append(", \"code\": ")
        appendJSONInt(row.status.code)
        append(", \"error\": ")
        appendJSONString(row.error)
        append(", \"users_matched\": ")
        appendJSONInt(row.usersMatched)
        append(", \"users_changed\": ")
        appendJSONInt(row.usersChanged)
        append(", \"comment\": ")
        appendJSONString(row.comment)
        append(byte: UInt8(ascii: "}"))
    }

    /// The same fields as one CSV line (without the line break). Text cells that a
    /// spreadsheet would run as a formula get a leading `'` (`appendCSVTextCell`).
    mutating func appendCSVRow(_ row: RowOutcome) {
        append(row.row)
        append(byte: UInt8(ascii: ","))
        append(row.line)
        append(byte: UInt8(ascii: ","))
        appendCSVTextCell(row.account)
        append(byte: UInt8(ascii: ","))
        appendCSVTextCell(row.user)
        append(byte: UInt8(ascii: ","))
        append(text: row.status.rawValue)
        append(byte: UInt8(ascii: ","))
        appendCSVInt(row.status.code)
        append(byte: UInt8(ascii: ","))
        appendCSVTextCell(row.error)
        append(byte: UInt8(ascii: ","))
        appendCSVInt(row.usersMatched)
        append(byte: UInt8(ascii: ","))
        appendCSVInt(row.usersChanged)
        append(byte: UInt8(ascii: ","))
        appendCSVTextCell(row.comment)
    }
}
