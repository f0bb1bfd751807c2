// libFuzzer entry point for the safetensors header parser. Built by Fuzz/run-safetensors-fuzz.sh
// together with Sources/SoftmaxModels/SafeTensors/SafeTensorsHeader.swift alone.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    if let header = try? SafeTensorsHeader.parse(bytes, fileSize: count, file: "fuzz") {
        // Whatever parses must describe byte ranges inside the file that do not overlap, each the
        // size its shape and dtype say.
        var end = header.dataStart
        for e in header.entries {
            precondition(header.dataStart + e.offsets.lowerBound >= end, "overlapping or unordered tensors accepted")
            precondition(header.dataStart + e.offsets.upperBound <= count, "a tensor past the end of the file accepted")
            precondition(e.offsets.count == e.count * e.dtype.size, "a tensor whose size disagrees with its shape accepted")
            end = header.dataStart + e.offsets.upperBound
        }
    }
    return 0
}
