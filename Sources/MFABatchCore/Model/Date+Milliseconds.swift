import Foundation

extension Date {
    /// Now, truncated to whole milliseconds: the precision of reports, so that a run
    /// re-exported from the database (`runs show --report`) has the very same times.
    public static func nowMilliseconds() -> Date {
        Date(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }

    public init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    public var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
