// libFuzzer entry point for the GGUF header parser. Built by Fuzz/run-gguf-fuzz.sh together with
// Sources/SoftmaxModels/GGUF/GGUFHeader.swift and GGMLType.swift alone.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    if let header = try? GGUFHeader.parse(bytes, file: "fuzz") {
        // Whatever parses describes tensors inside the file, after the header, aligned, the size
        // their type and dimensions say, and not overlapping.
        precondition(header.dataOffset % header.alignment == 0, "unaligned data section")
        var end = 0
        for t in header.tensors.sorted(by: { $0.bytes.lowerBound < $1.bytes.lowerBound }) {
            precondition(t.bytes.lowerBound >= header.dataOffset && t.bytes.upperBound <= count, "a tensor outside the data section")
            precondition(t.bytes.lowerBound >= end, "overlapping tensors accepted")
            precondition(t.bytes.count == t.count / t.type.blockSize * t.type.bytesPerBlock, "a tensor whose size disagrees with its type")
            end = t.bytes.upperBound
        }
    }
    return 0
}
