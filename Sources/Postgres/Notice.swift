/// A NOTICE / WARNING the server sent. Captured into a list on the connection
/// instead of being printed to stderr by libpq's default receiver.
public struct Notice: Sendable, Equatable {
    public var severity: String
    public var sqlState: SQLState?
    public var message: String
}
