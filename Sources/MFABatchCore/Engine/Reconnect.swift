import Foundation
import Postgres

/// After the connection was lost mid-run: a few attempts to reach the server
/// again (a restart takes seconds), so the report can still come from the run's
/// rows in the database.
enum Reconnect {
    static func attempt(_ settings: ConnectionSettings, tries: Int = 6) -> Connection? {
        var delay = 0.25
        for _ in 0..<tries {
            if let connection = try? Connection(settings: settings) { return connection }
            Thread.sleep(forTimeInterval: delay)
            delay *= 2
        }
        return nil
    }
}
