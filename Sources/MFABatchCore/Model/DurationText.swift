/// DURATION of PRODUCT.md: a whole number and a unit, `90s`, `30m`, `12h`, `90d`.
public enum DurationText {
    /// Seconds, or nil when `text` is not a positive whole number followed by s, m, h or d.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let amount = Int(digits), amount > 0 else { return nil }
        let factor: Int
        switch unit {
        case "s": factor = 1
        case "m": factor = 60
        case "h": factor = 3_600
        case "d": factor = 86_400
        default: return nil
        }
        let (seconds, overflow) = amount.multipliedReportingOverflow(by: factor)
        return overflow || seconds > 100 * 365 * 86_400 ? nil : seconds
    }
}
