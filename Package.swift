// swift-tools-version: 6.0
// mfa-batch: bulk MFA settings changes across PostgreSQL tenants.
// No package dependencies: libpq and libcrypto come from the system through
// system-library targets; everything else is the toolchain.
import PackageDescription

let package = Package(
    name: "mfa-batch",
    products: [
        .executable(name: "mfa-batch", targets: ["mfa-batch"]),
    ],
    targets: [
        // C libraries of the system: a module map and a shim, nothing else.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // The only code that touches libpq.
        .target(name: "Postgres", dependencies: ["CLibPQ"]),
        // The only code that touches libcrypto: SHA-256, HMAC-SHA256, constant-time compare.
        .target(name: "Crypto", dependencies: ["CLibCrypto"]),

        // Embeds sql/*.sql and spec/openapi-mfa-settings.json into the core module,
        // so the binary works from any directory.
        .executableTarget(name: "embed-resources"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["embed-resources"]),

        // The domain: manifests, validation, authorization, engine, reports. No C types.
        .target(name: "MFABatchCore", dependencies: ["Postgres", "Crypto"], plugins: ["EmbedResources"]),

        // The thin executable: one file per command.
        .executableTarget(name: "mfa-batch", dependencies: ["MFABatchCore"]),

        // Tests mirror the sources; TestSupport creates a fresh database per test.
        .target(name: "TestSupport", dependencies: ["Postgres"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto"]),
        .testTarget(
            name: "MFABatchCoreTests", dependencies: ["MFABatchCore", "Postgres", "TestSupport"],
            exclude: ["Fixtures"]),
        // Runs the built binary; also imports the executable (@testable) to walk its
        // command table: the option declarations, help and completion.
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "Postgres", "mfa-batch"]),
    ],
    swiftLanguageModes: [.v6]
)
