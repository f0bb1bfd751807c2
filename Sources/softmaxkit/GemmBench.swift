import Foundation
import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit bench --gemm M,N,K`: the single-precision matrix multiply's GFLOP/s (2·M·N·K
/// flops per call), on random operands, as plain, Aᵀ and Bᵀ variants.
enum GemmBench {
    struct Result: Encodable {
        let m, n, k, threads: Int
        let variant: String
        let seconds, gflops: Double
    }

    static func run(m: Int, n: Int, k: Int, threads: Int, repeats: Int) -> [Result] {
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k), b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        var g = SeededGenerator(seed: 7)
        for i in 0..<(m * k) { a[i] = Float(g.normal()) }
        for i in 0..<(k * n) { b[i] = Float(g.normal()) }
        let variants: [(String, Gemm.Operand, Gemm.Operand)] = [
            ("A·B", Gemm.Operand(a, ld: k), Gemm.Operand(b, ld: n)),
            ("A·Bᵀ", Gemm.Operand(a, ld: k), Gemm.Operand(b, ld: k, transposed: true)),
            ("Aᵀ·B", Gemm.Operand(a, ld: m, transposed: true), Gemm.Operand(b, ld: n)),
        ]
        return variants.map { name, x, y in
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            let inner = max(1, Int(2e9 / max(flops, 1)))  // ≈ 0.03 s per sample at 60 GFLOP/s
            let s =
                Timing.median(repeats: repeats) {
                    for _ in 0..<inner { Gemm.multiply(m: m, n: n, k: k, x, y, into: c, ldc: n, threads: threads) }
                } / Double(inner)
            return Result(m: m, n: n, k: k, threads: threads, variant: name, seconds: s, gflops: flops / s / 1e9)
        }
    }
}
