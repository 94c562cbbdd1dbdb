import Foundation
import PackagePlugin

/// Generates `EmbeddedResources.swift` for the target it is applied to, holding the
/// migrations of `sql/` and the project's copy of the OpenAPI spec. Embedding them
/// (rather than shipping loose files) is what lets `mfa-batch migrate` and
/// `validate` work from any working directory with nothing beside the binary.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let spec = root.appending(path: "spec").appending(path: "openapi-mfa-settings.json")
        let sqlDirectory = root.appending(path: "sql")
        let migrations = try FileManager.default
            .contentsOfDirectory(at: sqlDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding sql/ and spec/ into \(target.name)",
                executable: try context.tool(named: "embed-resources").url,
                arguments: [output.path(percentEncoded: false), spec.path(percentEncoded: false)]
                    + migrations.map { $0.path(percentEncoded: false) },
                inputFiles: [spec] + migrations,
                outputFiles: [output]
            ),
        ]
    }
}
