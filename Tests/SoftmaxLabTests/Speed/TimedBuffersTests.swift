import Testing

@testable import SoftmaxLab

/// The buffers every speed measurement times: both aligned, the output half a page past the input.
@Suite struct TimedBuffersTests {
    @Test(arguments: [1, 15, 4096, 1 << 20, 3 << 20 + 7])
    func bothAlignedAndHalfAPageApart(_ count: Int) {
        for _ in 0..<8 {  // allocations land at different offsets; every one must be placed
            let buffers = TimedBuffers(count: count)
            defer { buffers.deallocate() }
            let x = Int(bitPattern: buffers.x), y = Int(bitPattern: buffers.y)
            #expect(x % 64 == 0 && y % 64 == 0)
            #expect(((y - x) % 4096 + 4096) % 4096 == 2048, "x at \(x % 4096), y at \(y % 4096) in their pages")
            buffers.x.initialize(repeating: 1, count: count)
            buffers.y.initialize(repeating: 2, count: count)  // every element of both is writable
            #expect(buffers.x[count - 1] == 1 && buffers.y[count - 1] == 2)
        }
    }
}
