#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The check every command that writes files makes before anything runs: no output
/// may be a directory, overwrite an input (the manifest, the `--credentials` file, a
/// plan) or another output, and at most one may go to standard output.
///
/// Files are compared by what they are (device and inode, following symlinks), not
/// by how they are spelled: `./m.csv`, a symlink or a hard link to the manifest are
/// the manifest. A path that does not exist yet is compared by its resolved spelling.
/// Character devices and pipes may be named more than once (`/dev/null` twice).
public enum OutputPaths {
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// One input: a path (`-` is standard input) and what it is, e.g. "the manifest".
    public struct Input: Sendable {
        public var path: String
        public var role: String
        public init(path: String, role: String) {
            self.path = path
            self.role = role
        }
    }

    /// Throws a `Refusal` naming the first problem.
    public static func check(outputs: [String], inputs: [Input]) throws(Refusal) {
        if outputs.filter({ ReportOutput(argument: $0).isStandardOutput }).count > 1 {
            throw Refusal(message: "only one output may go to stdout (`-`, /dev/stdout)")
        }
        var seen: [Key: String] = [:]
        for input in inputs {
            if let key = key(of: input.path, existingOnly: true) { seen[key.key] = input.role }
        }
        for path in outputs {
            if case .descriptor = ReportOutput(argument: path) { continue }
            guard let (key, kind) = key(of: path, existingOnly: false) else { continue }
            if kind == S_IFDIR {
                throw Refusal(message: "'\(path)' is a directory: an output must be a file, a device or a pipe")
            }
            if let other = seen[key] {
                throw Refusal(message: "'\(path)' is given as an output and is \(other): each output needs its own file")
            }
            // A device or pipe may be written by more than one output.
            if kind == S_IFREG || kind == 0 { seen[key] = "another output" }
        }
    }

    private enum Key: Hashable {
        case file(device: UInt64, inode: UInt64)
        case name(String)
    }

    /// What `path` is (0 for a path that does not exist); nil when it cannot be said
    /// (an input that does not exist is the run's own error to report).
    private static func key(of path: String, existingOnly: Bool) -> (key: Key, kind: mode_t)? {
        var info = stat()
        let found = path == "-" ? fstat(0, &info) == 0 : stat(path, &info) == 0
        if found {
            return (.file(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), info.st_mode & S_IFMT)
        }
        if existingOnly || path == "-" { return nil }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let directory = url.deletingLastPathComponent().resolvingSymlinksInPath().path
        return (.name(directory + "/" + url.lastPathComponent), 0)
    }
}
