import Benchmark
import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit

/// The hot kernels on fixed shapes, one thread (and one long row on two): exact softmax and log-softmax by algorithm and
/// cache level, the vector exponential, exact GELU, the matrix multiply and exact attention.
/// Each benchmark's name carries the bytes or flops of one iteration, so throughput (# / s)
/// converts to GB/s or GFLOP/s; `softmaxkit bench` prints those units directly and compares
/// with the machine's copy bandwidth and with NumPy and ONNX Runtime (`Benchmarks/peers.py`).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(1), maxIterations: 100_000)

    // Softmax: rows × cols of 4·N(0, 1) float32, in L1 (12 KiB), L2 (384 KiB) and L3 (8 MiB).
    let shapes = [(level: "L1", rows: 24, cols: 128), (level: "L2", rows: 96, cols: 1024), (level: "L3", rows: 64, cols: 32_768)]
    for shape in shapes {
        let x = gaussian(shape.rows * shape.cols, seed: 7)
        let bytes = "\(shape.rows * shape.cols * 8 / 1024) KiB moved"
        for algorithm in SoftmaxAlgorithm.allCases {
            Benchmark("softmax \(algorithm.rawValue) \(shape.level) \(shape.rows)×\(shape.cols) (\(bytes))") { benchmark in
                try rowKernel(x, shape.rows, shape.cols, benchmark) { x, y in
                    try ExactSoftmax.softmax(x, into: y, options: SoftmaxOptions(algorithm: algorithm, threads: 1))
                }
            }
        }
        Benchmark("log-softmax \(shape.level) \(shape.rows)×\(shape.cols) (\(bytes))") { benchmark in
            try rowKernel(x, shape.rows, shape.cols, benchmark) { x, y in
                try ExactSoftmax.logSoftmax(x, into: y, options: SoftmaxOptions(threads: 1))
            }
        }
    }

    // Threads: one long row (1 MiB, L2/L3) on one and on two threads — two split the row by blocks.
    let longRow = gaussian(262_144, seed: 9)
    for threads in [1, 2] {
        Benchmark("softmax 1×262144 on \(threads) thread(s) (2048 KiB moved)") { benchmark in
            try rowKernel(longRow, 1, 262_144, benchmark) { x, y in
                try ExactSoftmax.softmax(x, into: y, options: SoftmaxOptions(threads: threads))
            }
        }
    }

    // Element-wise: the vector exponential and exact GELU on 96 × 1024 (L2).
    let elements = gaussian(96 * 1024, seed: 11)
    Benchmark("exp 96×1024 (768 KiB moved)") { benchmark in
        var y = [Float](repeating: 0, count: elements.count)
        elements.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for _ in benchmark.scaledIterations { VectorMath.exp(x, into: y) }
            }
        }
        blackHole(y)
    }
    Benchmark("gelu 96×1024 (768 KiB moved)") { benchmark in
        var y = [Float](repeating: 0, count: elements.count)
        let gelu = GELU.Exact()
        elements.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for _ in benchmark.scaledIterations { gelu.map(x.baseAddress!, y.baseAddress!, count: x.count) }
            }
        }
        blackHole(y)
    }

    // Matrix multiply, C = A·B, 512³ (0.268 GFLOP) and the encoder's 4096 × 1152 × 384 (3.62 GFLOP).
    for (m, n, k) in [(512, 512, 512), (4096, 1152, 384)] {
        let a = gaussian(m * k, seed: 3), b = gaussian(k * n, seed: 5)
        let gflop = String(format: "%.3f", 2 * Double(m * n * k) / 1e9)
        Benchmark("gemm \(m)×\(n)×\(k) (\(gflop) GFLOP)", configuration: .init(maxDuration: .seconds(2), maxIterations: 1000)) { benchmark in
            var c = [Float](repeating: 0, count: m * n)
            let workspace = Gemm.Workspace()
            defer { workspace.deallocate() }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        for _ in benchmark.scaledIterations {
                            Gemm.multiply(
                                m: m, n: n, k: k, Gemm.Operand(a.baseAddress!, ld: k), Gemm.Operand(b.baseAddress!, ld: n),
                                into: c.baseAddress!, ldc: n, workspace: workspace)
                        }
                    }
                }
            }
            blackHole(c)
        }
    }

    // Exact tiled attention, B = 1, H = 12, N = 512, D = 64 (4·N²·D·H = 0.805 GFLOP).
    for causal in [false, true] {
        let shape = AttentionShape(heads: 12, queries: 512, keys: 512, headDim: 64)
        let q = gaussian(shape.queryCount, seed: 13), k = gaussian(shape.keyCount, seed: 17), v = gaussian(shape.valueCount, seed: 19)
        let name = "attention H=12 N=512 D=64\(causal ? " causal" : "") (0.805 GFLOP)"
        Benchmark(name, configuration: .init(maxDuration: .seconds(2), maxIterations: 1000)) { benchmark in
            var out = [Float](repeating: 0, count: shape.outputCount)
            let options = AttentionOptions(causal: causal ? .topLeft : nil, threads: 1)
            try q.withUnsafeBufferPointer { q in
                try k.withUnsafeBufferPointer { k in
                    try v.withUnsafeBufferPointer { v in
                        try out.withUnsafeMutableBufferPointer { o in
                            for _ in benchmark.scaledIterations {
                                try FlashAttention.run(
                                    q: q.baseAddress!, k: k.baseAddress!, v: v.baseAddress!, shape: shape,
                                    options: options, output: o.baseAddress!)
                            }
                        }
                    }
                }
            }
            blackHole(out)
        }
    }
}

/// Runs `kernel` on a rows × cols batch once per scaled iteration.
func rowKernel(
    _ x: [Float], _ rows: Int, _ cols: Int, _ benchmark: Benchmark,
    _ kernel: (RowBatch<Float>, MutableRowBatch<Float>) throws -> Void
) throws {
    var y = [Float](repeating: 0, count: x.count)
    try x.withUnsafeBufferPointer { xp in
        try y.withUnsafeMutableBufferPointer { yp in
            let input = RowBatch(xp, rows: rows, cols: cols), output = MutableRowBatch(yp, rows: rows, cols: cols)
            for _ in benchmark.scaledIterations { try kernel(input, output) }
        }
    }
    blackHole(y)
}

/// `count` values of 4·N(0, 1), reproducible.
func gaussian(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float(4 * generator.normal()) }
}
