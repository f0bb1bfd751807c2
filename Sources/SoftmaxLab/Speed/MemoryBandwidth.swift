import Dispatch
import SoftmaxKit

/// The machine's copy bandwidth, measured in the same run as the kernels so that kernel figures
/// can be read as a fraction of it: `y[i] = x[i]` over a buffer far larger than the caches,
/// counting 4 bytes read + 4 written per float (as the softmax figures do).
public struct MemoryBandwidth: Sendable, Codable {
    /// Plain (cached) stores, GB/s.
    public var copy: Double
    /// Non-temporal (streaming) stores, GB/s.
    public var streamingCopy: Double
    /// Threads that copied.
    public var threads: Int

    /// Measures with `bytes` per buffer (two buffers), median of `repeats`.
    public static func measure(bytes: Int = 256 << 20, threads: Int = 1, repeats: Int = 5) -> MemoryBandwidth {
        let count = bytes / 4
        // 64-byte alignment: the streaming stores need it (chunks are multiples of 4096 elements).
        let buffers = TimedBuffers(count: count)
        defer { buffers.deallocate() }
        let (x, y) = (buffers.x, buffers.y)
        x.initialize(repeating: 1, count: count)
        y.initialize(repeating: 0, count: count)
        let (src, dst) = (UnsafeSendablePointer(x), UnsafeSendablePointer(y))
        func run(streaming: Bool) -> Double {
            let seconds = Timing.median(repeats: repeats) {
                RowParallel.forEachChunk(rows: count / 4096, threads: threads) { range in
                    let lo = range.lowerBound * 4096, hi = range.upperBound * 4096
                    copy(src.pointer + lo, dst.pointer + lo, count: hi - lo, streaming: streaming)
                }
            }
            return Double(count) * 8 / seconds / 1e9
        }
        return MemoryBandwidth(copy: run(streaming: false), streamingCopy: run(streaming: true), threads: threads)
    }

    @inline(never)
    static func copy(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, streaming: Bool) {
        let lanes = Float.lanes
        var i = 0
        if streaming {
            while i + lanes <= count {
                Float.streamStore(Float.load(x + i), to: y + i)
                i += lanes
            }
            Float.streamFence()
        } else {
            while i + lanes <= count {
                Float.store(Float.load(x + i), to: y + i)
                i += lanes
            }
        }
        while i < count { y[i] = x[i]; i += 1 }
    }
}

/// A pointer that may cross into `@Sendable` closures: each user touches a disjoint range.
struct UnsafeSendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}

/// Wall-clock timing.
public enum Timing {
    /// The median duration in seconds of `repeats` runs of `body` (after one warm-up run).
    public static func median(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var samples: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
