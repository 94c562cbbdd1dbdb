// The libFuzzer entry point of one harness; `scripts/fuzz` compiles it with
// `-D FUZZ_CSV` (or JSON, JSONL, JWT) and Tests/MFABatchCoreTests/Fuzz/FuzzTargets.swift.
// Not part of the package (no target names this directory).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    #if FUZZ_CSV
    let target = FuzzTargets.Target.csv
    #elseif FUZZ_JSON
    let target = FuzzTargets.Target.json
    #elseif FUZZ_JSONL
    let target = FuzzTargets.Target.jsonl
    #else
    let target = FuzzTargets.Target.jwt
    #endif
    FuzzTargets.run(target, Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
