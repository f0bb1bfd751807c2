/// The input and output of a timed kernel: `count` floats each, both on 64-byte boundaries (a
/// cache line, and the widest vector; streaming stores need it), the output half a page past the
/// input — their addresses differ by 2 KiB modulo 4 KiB.
///
/// Where the output lies relative to the input changes the speed of a large softmax: a kernel
/// loads the input a little ahead of where it stores, and when the two addresses agree in their
/// low 12 bits the processor takes the load for one that may depend on the store ("4K aliasing").
/// Two allocations of the same size usually come out at the same offset in their pages, so a
/// benchmark that does not choose times that case. This is the layout the Python package gives
/// the outputs it allocates (`softmaxkit.empty_like`); BENCHMARKS.md, "Where the output lies".
struct TimedBuffers {
    let x: UnsafeMutablePointer<Float>
    let y: UnsafeMutablePointer<Float>
    private let xMemory: UnsafeMutableRawPointer
    private let yMemory: UnsafeMutableRawPointer

    static let page = 4096

    init(count: Int) {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        xMemory = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        yMemory = UnsafeMutableRawPointer.allocate(byteCount: bytes + Self.page, alignment: 64)
        let wanted = (Int(bitPattern: xMemory) + Self.page / 2) % Self.page
        let shift = (wanted - Int(bitPattern: yMemory) % Self.page + Self.page) % Self.page
        x = xMemory.bindMemory(to: Float.self, capacity: max(count, 1))
        y = (yMemory + shift).bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func deallocate() {
        xMemory.deallocate()
        yMemory.deallocate()
    }
}
