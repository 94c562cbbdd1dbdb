import Foundation

/// ISO 8601 timestamps computed by hand: `ISO8601DateFormatter` is slow, allocates,
/// and its fractional-seconds output has differed between platforms.
extension OutputBuffer {
    /// `2026-11-29T15:12:46.123Z`: UTC, always with milliseconds. The instant is
    /// rounded to the nearest millisecond, because a `Date` built from a whole number
    /// of milliseconds is often a hair below it as a `Double`.
    mutating func appendISO8601(_ date: Date) {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let msPerDay: Int64 = 86_400_000
        var days = millis / msPerDay
        var msOfDay = millis % msPerDay
        if msOfDay < 0 { msOfDay += msPerDay; days -= 1 }
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        append(Int(year), width: 4)
        append(byte: UInt8(ascii: "-"))
        append(Int(month), width: 2)
        append(byte: UInt8(ascii: "-"))
        append(Int(day), width: 2)
        append(byte: UInt8(ascii: "T"))
        append(Int(msOfDay / 3_600_000), width: 2)
        append(byte: UInt8(ascii: ":"))
        append(Int(msOfDay / 60_000 % 60), width: 2)
        append(byte: UInt8(ascii: ":"))
        append(Int(msOfDay / 1000 % 60), width: 2)
        append(byte: UInt8(ascii: "."))
        append(Int(msOfDay % 1000), width: 3)
        append(byte: UInt8(ascii: "Z"))
    }

    /// Proleptic Gregorian year, month, day of a day count since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
