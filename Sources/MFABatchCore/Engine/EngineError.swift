import Foundation

/// Failures that stop a run before or while applying (exit 3 unless noted).
public enum EngineError: Error, CustomStringConvertible {
    /// The spec names a setting that cannot be a column name.
    case unsupportedSetting(String)
    /// The spec names settings the `users` table has no column for.
    case missingColumns([String])
    /// The tenants were decided but the report or rejects could not be written.
    case reportFailed(runID: UUID, message: String)
    /// An error that is neither the database's nor the manifest's stopped the run
    /// between tenants; the report was written.
    case stoppedByUnexpectedError(runID: UUID, error: any Error)

    public var description: String {
        switch self {
        case .unsupportedSetting(let name):
            return "the API spec's setting '\(name)' is not a plain column name (a-z, 0-9, _)"
        case .missingColumns(let names):
            return "the users table has no column for the API spec's setting(s) \(names.joined(separator: ", ")); add them with a migration"
        case .stoppedByUnexpectedError(let runID, let error):
            return "internal error (\(String(reflecting: type(of: error)))): \(error); run \(runID.uuidString.lowercased()) stopped before its next tenant, its report says what committed"
        case .reportFailed(let runID, let message):
            return "the run's outcomes are recorded but its report could not be written (\(message)); write it again with `mfa-batch runs show \(runID.uuidString.lowercased()) --report PATH`"
        }
    }
}
