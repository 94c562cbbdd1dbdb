import Foundation

/// Where a command writes. stdout carries results (keys, reports on `-`, the
/// summary); stderr carries diagnostics and progress.
struct Console {
    var environment: [String: String]

    func out(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    func err(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
