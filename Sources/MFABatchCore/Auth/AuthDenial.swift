/// Why a credential was refused for a row: a 401 of section 2's step 2 (or the
/// user restriction of a token without `mfa:admin`).
///
/// Each case has a stable, distinct `message` (the report's `error` text) and a
/// value-free `reason` (what the summary groups by). Neither ever contains a
/// key, a token or anything read from the database: the only value that can appear
/// is the account exactly as the row wrote it, which is the caller's own input.
public enum AuthDenial: Sendable, Hashable, Error, CustomStringConvertible {
    case missingCredentials
    case unknownAPIKey
    case apiKeyRevoked
    case apiKeyExpired
    case apiKeyOtherAccount
    case apiKeyLacksScope
    case malformedToken
    case unsupportedAlgorithm
    case unknownTokenKey
    case tokenKeyRevoked
    case tokenSignatureInvalid
    case tokenExpired
    case tokenNotYetValid
    case tokenHasNoExp
    case tokenAccountMismatch
    /// The row's account does not exist; the associated value is the account as
    /// the row wrote it. Says nothing the caller did not already write.
    case unknownAccount(asWritten: String)
    /// A token without `mfa:admin` aimed at a user other than its `sub`.
    case tokenOtherUser
    /// A token without `mfa:admin` on a `*` row.
    case tokenCannotTargetAll

    /// The report's `error` text.
    public var message: String {
        switch self {
        case .unknownAccount(let account): return "credential not valid for account \(account)"
        default: return reason
        }
    }

    /// The value-free category (equal to `message` except for an unknown account).
    public var reason: String {
        switch self {
        case .missingCredentials: return "missing credentials"
        case .unknownAPIKey: return "unknown api key"
        case .apiKeyRevoked: return "api key revoked"
        case .apiKeyExpired: return "api key expired"
        case .apiKeyOtherAccount: return "api key belongs to another account"
        case .apiKeyLacksScope: return "api key lacks scope mfa:write"
        case .malformedToken: return "malformed token"
        case .unsupportedAlgorithm: return "unsupported token algorithm"
        case .unknownTokenKey: return "unknown token key"
        case .tokenKeyRevoked: return "token key revoked"
        case .tokenSignatureInvalid: return "token signature invalid"
        case .tokenExpired: return "token expired"
        case .tokenNotYetValid: return "token not yet valid"
        case .tokenHasNoExp: return "token has no exp"
        case .tokenAccountMismatch: return "token account mismatch"
        case .unknownAccount: return "credential not valid for account"
        case .tokenOtherUser: return "token may only change its own user"
        case .tokenCannotTargetAll: return "token without mfa:admin cannot target *"
        }
    }

    /// Denials that show only that the credential is not one of the account's: they
    /// are reported exactly like an unknown account, so that no caller learns
    /// whether an account exists without holding a credential of it (section 2).
    /// Revoked, expired or under-scoped keys, and correctly signed tokens, did
    /// belong to the account and keep their own reason.
    public var provesNothingAboutAccount: Bool {
        switch self {
        case .unknownAPIKey, .apiKeyOtherAccount, .unknownTokenKey, .tokenSignatureInvalid: return true
        default: return false
        }
    }

    /// The HTTP-style code of every denial.
    public var code: Int { 401 }

    public var description: String { message }

    /// The row finding for the report. `field`/`value` name the account only for an
    /// unknown account (the row's own input); never a credential.
    public func diagnostic(for row: CheckedRow) -> RowDiagnostic {
        switch self {
        case .unknownAccount(let account):
            return RowDiagnostic(row: row.row, line: row.line, field: "account", value: account,
                                 message: message, reason: reason)
        case .tokenOtherUser, .tokenCannotTargetAll:
            return RowDiagnostic(row: row.row, line: row.line, field: "user", value: row.user.description,
                                 message: message, reason: reason)
        default:
            return RowDiagnostic(row: row.row, line: row.line, field: nil, value: nil, message: message, reason: reason)
        }
    }
}
