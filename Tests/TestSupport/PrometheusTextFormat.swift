import Foundation

/// A small validator of the Prometheus text exposition format (0.0.4), the format
/// node_exporter's textfile collector reads, strict enough to catch what would make
/// the collector drop a file: `# HELP` / `# TYPE` lines, metric and label names,
/// label syntax and escapes, float values, a TYPE before its samples and at most
/// once, and the samples of one metric together.
public enum PrometheusTextFormat {
    public struct Sample: Equatable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws -> [Sample] {
        guard text.hasSuffix("\n") else { throw Invalid(line: 0, message: "the file must end with a newline") }
        var samples: [Sample] = []
        var typed: [String: String] = [:]
        var helped: Set<String> = []
        var finished: Set<String> = [] // metrics whose samples are over
        var current: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { continue }
                let name = parts[2]
                guard isMetricName(name) else { throw Invalid(line: number, message: "bad metric name \(name)") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        throw Invalid(line: number, message: "bad TYPE line")
                    }
                    guard typed[name] == nil else { throw Invalid(line: number, message: "second TYPE for \(name)") }
                    guard !samples.contains(where: { $0.name == name }) else {
                        throw Invalid(line: number, message: "TYPE after samples of \(name)")
                    }
                    typed[name] = parts[3]
                } else {
                    guard helped.insert(name).inserted else { throw Invalid(line: number, message: "second HELP for \(name)") }
                    if parts.count == 4 { try checkHelp(parts[3], line: number) }
                }
                continue
            }
            let sample = try parseSample(Substring(line), line: number)
            if sample.name != current {
                if let current { finished.insert(current) }
                guard !finished.contains(sample.name) else {
                    throw Invalid(line: number, message: "samples of \(sample.name) are not together")
                }
                current = sample.name
            }
            samples.append(sample)
        }
        return samples
    }

    public static func isMetricName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    public static func isLabelName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func checkHelp(_ text: String, line: Int) throws {
        var escaped = false
        for character in text {
            if escaped {
                guard character == "\\" || character == "n" else { throw Invalid(line: line, message: "bad escape in HELP") }
                escaped = false
            } else if character == "\\" {
                escaped = true
            }
        }
        if escaped { throw Invalid(line: line, message: "HELP ends in a backslash") }
    }

    private static func parseSample(_ line: Substring, line number: Int) throws -> Sample {
        var rest = line[...]
        let name = rest.prefix { $0 != "{" && $0 != " " }
        guard isMetricName(name) else { throw Invalid(line: number, message: "bad metric name \(name)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let labelName = rest.prefix { $0 != "=" }
                guard isLabelName(labelName), !labelName.hasPrefix("__") else {
                    throw Invalid(line: number, message: "bad label name \(labelName)")
                }
                rest = rest.dropFirst(labelName.count)
                guard rest.hasPrefix("=\"") else { throw Invalid(line: number, message: "label \(labelName) needs =\"…\"") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let character = rest.first else { throw Invalid(line: number, message: "unterminated label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.first {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Invalid(line: number, message: "bad escape in label \(labelName)")
                        }
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: String(labelName)) == nil else {
                    throw Invalid(line: number, message: "label \(labelName) twice")
                }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw Invalid(line: number, message: "expected , or } after a label")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Invalid(line: number, message: "expected a space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count), let value = parseFloat(fields[0]) else {
            throw Invalid(line: number, message: "bad value \(rest)")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Invalid(line: number, message: "bad timestamp") }
        return Sample(name: String(name), labels: labels, value: value)
    }

    /// Go's `strconv.ParseFloat` as Prometheus uses it: decimal or exponent floats,
    /// `NaN`, `+Inf`, `-Inf`.
    private static func parseFloat(_ text: Substring) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            let allowed = Set("0123456789+-.eE")
            guard !text.isEmpty, text.allSatisfy(allowed.contains) else { return nil }
            return Double(text)
        }
    }
}

extension [PrometheusTextFormat.Sample] {
    /// The value of `mfa_batch_NAME` with exactly these labels.
    public func value(_ name: String, _ labels: [String: String]) -> Double? {
        first { $0.name == "mfa_batch_" + name && $0.labels == labels }?.value
    }
}
