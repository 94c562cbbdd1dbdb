import Foundation

extension OutputBuffer {
    /// The report's `summary` object. Every status appears, zero included, so
    /// consumers need no defaults. Also what `job_runs.counts` stores.
    mutating func appendJSONSummary(_ summary: ReportSummary) {
        append("{\n    \"rows\": ")
        append(summary.rows)
        for status in RowStatus.allCases {
            append(",\n    ")
            appendJSONString(status.rawValue)
            append(": ")
            append(summary.count(status))
        }
        append(",\n    \"users_changed\": ")
        append(summary.usersChanged)
        append(",\n    \"tenants_committed\": ")
        append(summary.tenantsCommitted)
        append(",\n    \"tenants_rolled_back\": ")
        append(summary.tenantsRolledBack)
        append("\n  }")
    }

    /// The report's `tenants` array. Also what `job_runs.tenants` stores, from which
    /// `runs show --report` writes it again.
    mutating func appendJSONTenants(_ tenants: [TenantOutcome]) {
        append(byte: UInt8(ascii: "["))
        for (index, tenant) in tenants.enumerated() {
            append(index == 0 ? "\n    {\"account\": " : ",\n    {\"account\": ")
            appendJSONString(tenant.account)
            append(", \"account_id\": ")
            appendJSONUUID(tenant.accountID)
            append(", \"outcome\": ")
            appendJSONString(tenant.outcome.rawValue)
            append(", \"rows\": ")
            append(tenant.rows)
            append(", \"users_changed\": ")
            append(tenant.usersChanged)
            append(byte: UInt8(ascii: "}"))
        }
        append(tenants.isEmpty ? "]" : "\n  ]")
    }

    /// The summary / tenants as JSON text, for `job_runs`.
    static func json(_ build: (inout OutputBuffer) -> Void) -> String {
        var buffer = OutputBuffer(reserving: 1024)
        build(&buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
