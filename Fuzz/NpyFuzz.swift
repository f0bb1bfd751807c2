// libFuzzer entry point for the .npy header parser. Built by Fuzz/run-npy-fuzz.sh together with
// Sources/SoftmaxNumPy/NpyHeader.swift alone (the parser has no other dependencies).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: count)
    if let header = try? NpyHeader.parse(bytes) {
        // A header that parses must describe exactly the bytes that follow it.
        precondition(header.dataOffset + header.dataBytes == count, "accepted a header that lies about the size")
        // And writing it again must give a header that parses to the same description.
        var copy = header.encoded()
        copy += [UInt8](repeating: 0, count: header.dataBytes)
        let again = copy.withUnsafeBytes { try? NpyHeader.parse($0) }
        precondition(again?.shape == header.shape && again?.elementType == header.elementType, "encode/parse round trip")
    }
    return 0
}
