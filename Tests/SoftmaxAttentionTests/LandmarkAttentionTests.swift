import Foundation
import SoftmaxAttention
import SoftmaxKit
import Testing

/// SOFT's helpers and attention, Nyströmformer and Edge-MoE attention against their definitions
/// and limits (every token a landmark; exact arithmetic).
@Suite struct LandmarkAttentionTests {
    let registry = MethodRegistry.complete

    func matrix(_ rows: Int, _ cols: Int, seed: UInt64, scale: Double = 1) -> (Tensor, [Double]) {
        var g = SeededGenerator(seed: seed)
        let v = (0..<(rows * cols)).map { _ in scale * g.normal() }
        return (Tensor(shape: [rows, cols], v), v)
    }

    func product(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for p in 0..<n { c[i * n + j] += a[i * n + p] * b[p * n + j] } } }
        return c
    }

    @Test func gaussianKernelAndLandmarks() throws {
        let (a, av) = matrix(3, 2, seed: 1), (b, bv) = matrix(4, 2, seed: 2)
        let k = float64s(try registry.call("soft-gaussian-kernel", inputs: ["A": a, "B": b])["K"])
        for i in 0..<3 {
            for j in 0..<4 {
                let d0 = av[i * 2] - bv[j * 2], d1 = av[i * 2 + 1] - bv[j * 2 + 1]
                let expected: Double = exp(-(d0 * d0 + d1 * d1) / 2)
                #expect(abs(k[i * 4 + j] - expected) < 1e-15)
            }
        }
        let (q, qv) = matrix(5, 4, seed: 3)
        let l = try registry.call("soft-landmarks-avgpool", inputs: ["Q": q], parameters: ["ratio": .number(2)])["L"]
        #expect(l?.shape == [3, 4])
        let c = pow(4.0, -0.25), lv = float64s(l)
        for p in 0..<4 {
            #expect(abs(lv[p] - c * (qv[p] + qv[4 + p]) / 2) < 1e-15)
            #expect(abs(lv[8 + p] - c * qv[16 + p]) < 1e-15)
        }
    }

    @Test func newtonSchulzConverges() throws {
        // A well-conditioned Gaussian kernel matrix: spread points.
        let (x, _) = matrix(6, 3, seed: 4, scale: 1.5)
        let a = try registry.call("soft-gaussian-kernel", inputs: ["A": x, "B": x])["K"]!
        let av = float64s(a)
        for variant in ["paper", "soft_norm", "soft"] {
            let v = float64s(try registry.call("newton-schulz-pinv", inputs: ["A": a], parameters: ["variant": .string(variant), "iters": .number(40)])["V"])
            var target = av
            if variant == "soft" { for i in 0..<6 { target[i * 6 + i] += 0.01 } }
            let identity = product(v, target, 6)
            for i in 0..<6 { for j in 0..<6 { #expect(abs(identity[i * 6 + j] - (i == j ? 1 : 0)) < 1e-8, "\(variant)") } }
        }
    }

    @Test func softAttentionWithEveryTokenALandmark() throws {
        let (q, qv) = matrix(6, 3, seed: 5, scale: 2.5), (v, vv) = matrix(6, 2, seed: 6)
        let scaled = Tensor(shape: [6, 3], qv.map { $0 * pow(3.0, -0.25) })
        let out = float64s(
            try registry.call(
                "soft-attention", inputs: ["Q": q, "V": v, "L": scaled],
                parameters: ["variant": .string("paper"), "iters": .number(60)])["out"])
        // K1 = A = κ(Q̂, Q̂), so out = K1·A⁻¹·K1ᵀ·V = κ(Q̂, Q̂)·V.
        let k = float64s(try registry.call("soft-gaussian-kernel", inputs: ["A": scaled, "B": scaled])["K"])
        for i in 0..<6 {
            for p in 0..<2 {
                var expected = 0.0
                for j in 0..<6 { expected += k[i * 6 + j] * vv[j * 2 + p] }
                #expect(abs(out[i * 2 + p] - expected) < 1e-7)
            }
        }
        let normalized = try registry.call("soft-attention", inputs: ["Q": q, "V": v, "L": scaled], parameters: ["normalize": .boolean(true)])
        #expect(normalized["out"]?.shape == [6, 2])
    }

    @Test func nystromWithEveryTokenALandmarkIsSoftmaxAttention() throws {
        let (q, _) = matrix(8, 4, seed: 7, scale: 0.5), (k, _) = matrix(8, 4, seed: 8, scale: 0.5), (v, _) = matrix(8, 3, seed: 9)
        let ny = float64s(
            try registry.call("nystrom-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["landmarks": .number(8), "iters": .number(40)])["out"])
        let exact = float64s(try registry.call("attention", inputs: ["Q": q, "K": k, "V": v])["out"])
        for (a, b) in zip(ny, exact) { #expect(abs(a - b) < 1e-6) }
        let few = try registry.call("nystrom-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["landmarks": .number(2)])
        #expect(few["out"]?.shape == [8, 3])
    }

    @Test func edgeMoEAttentionIsSoftmaxAttention() throws {
        let (q, _) = matrix(7, 4, seed: 10, scale: 2), (k, _) = matrix(9, 4, seed: 11, scale: 2), (v, _) = matrix(9, 3, seed: 12)
        for causal in ["none", "bottom-right"] {
            let e = float64s(try registry.call("edge-moe-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["causal": .string(causal)])["out"])
            let exact = float64s(try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["causal": .string(causal)])["out"])
            for (a, b) in zip(e, exact) { #expect(abs(a - b) < 1e-12) }
        }
    }
}
