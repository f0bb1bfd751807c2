import Foundation
import SoftmaxAttention
import SoftmaxKit
import Testing

/// The attention replacements and their helpers against their definitions written out directly.
@Suite struct ReplacementAttentionTests {
    let registry = MethodRegistry.complete

    func matrix(_ rows: Int, _ cols: Int, seed: UInt64) -> (Tensor, [Double]) {
        var g = SeededGenerator(seed: seed)
        let v = (0..<(rows * cols)).map { _ in g.normal() }
        return (Tensor(shape: [rows, cols], v), v)
    }

    @Test func sigmoidAttentionIsElementwise() throws {
        let (q, qv) = matrix(4, 3, seed: 1), (k, kv) = matrix(6, 3, seed: 2), (v, vv) = matrix(6, 2, seed: 3)
        let out = try registry.call("sigmoid-attention", inputs: ["Q": q, "K": k, "V": v])
        let w = float64s(out["weights"]), y = float64s(out["out"])
        for i in 0..<4 {
            for j in 0..<6 {
                let s = (0..<3).map { qv[i * 3 + $0] * kv[j * 3 + $0] }.reduce(0, +) / 3.0.squareRoot() - log(6.0)
                #expect(abs(w[i * 6 + j] - 1 / (1 + exp(-s))) < 1e-14)
            }
            for p in 0..<2 { #expect(abs(y[i * 2 + p] - (0..<6).map { w[i * 6 + $0] * vv[$0 * 2 + p] }.reduce(0, +)) < 1e-13) }
        }
        let causal = try registry.call("sigmoid-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["causal": .string("top-left")])
        #expect(float64s(causal["weights"])[0 * 6 + 1] == 0 && float64s(causal["weights"])[3 * 6 + 3] > 0)
    }

    @Test func softplusWeights() throws {
        let (q, _) = matrix(7, 4, seed: 4), (k, _) = matrix(7, 4, seed: 5)
        let lssa = try registry.call("lssa-weights", inputs: ["Q": q, "K": k])
        let a = float64s(lssa["A"]), n = float64s(lssa["N"])
        #expect(n == (1...7).map(Double.init))
        for i in 0..<7 {
            #expect(abs(a[(i * 7)..<(i * 7 + 7)].reduce(0, +) - 1) < 1e-14)
            for j in (i + 1)..<7 { #expect(a[i * 7 + j] == 0) }
        }
        // p = 1 and no offset: B ∝ A·N, so B = A.
        let b = try registry.call("lssar-weights", inputs: ["Q": q, "K": k], parameters: ["p": .number(1), "offset": .number(0)])
        for (x, y) in zip(float64s(b["A"]), a) { #expect(abs(x - y) < 1e-14) }
        // Large p sharpens toward the row's argmax.
        let sharp = float64s(try registry.call("lssar-weights", inputs: ["Q": q, "K": k], parameters: ["p": .number(200)])["A"])
        for i in 3..<7 {
            let row = Array(a[(i * 7)..<(i * 7 + i + 1)])
            let top = row.firstIndex(of: row.max()!)!
            #expect(sharp[i * 7 + top] > 0.99)
        }
    }

    @Test func selectiveAttentionReducesToScaledSoftmax() throws {
        let (q, _) = matrix(5, 4, seed: 6), (k, _) = matrix(8, 4, seed: 7), (v, _) = matrix(8, 3, seed: 8)
        let plain = try registry.call("ssa-attention", inputs: ["Q": q, "K": k, "V": v])
        let exact = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v])
        for (x, y) in zip(float64s(plain["out"]), float64s(exact["out"])) { #expect(abs(x - y) < 1e-13) }
        let tau = Tensor(shape: [5], [Double](repeating: 2, count: 5))
        let hot = try registry.call("ssa-attention", inputs: ["Q": q, "K": k, "V": v, "tau_q": tau])
        let scaled = try registry.call("attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["scale": .number(1)])
        for (x, y) in zip(float64s(hot["out"]), float64s(scaled["out"])) { #expect(abs(x - y) < 1e-13) }
        let t = try registry.call("ssa-position-temperature", inputs: [:], parameters: ["n": .number(3), "alpha": .number(2), "form": .string("gumbel")])
        guard case let .float32(tau32)? = t["tau"]?.storage else { Issue.record("tau dtype"); return }
        #expect(tau32[0] == 1 && abs(Double(tau32[2]) - (1 + exp(-exp(2.0)) * log(3.0))) < 1e-6)
    }

    @Test func localWindowMask() throws {
        let m = try registry.call("local-window-mask", inputs: [:], parameters: ["n_q": .number(4), "n_k": .number(5), "w": .number(3)])
        guard case let .bool(b)? = m["mask"]?.storage else { Issue.record("mask dtype"); return }
        let expected: [[Int]] = [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]]
        for i in 0..<4 { for j in 0..<5 { #expect(b[i * 5 + j] == expected[i].contains(j)) } }
    }

    @Test func linearAttention() throws {
        let (q, qv) = matrix(6, 3, seed: 9), (k, kv) = matrix(6, 3, seed: 10), (v, vv) = matrix(6, 2, seed: 11)
        func phi(_ x: Double) -> Double { x > 0 ? x + 1 : exp(x) }
        for causal in [false, true] {
            let y = float64s(
                try registry.call("linear-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["causal": .string(causal ? "top-left" : "none")])["out"])
            for i in 0..<6 {
                let keys = causal ? 0...i : 0...5
                let w = keys.map { j in (0..<3).map { phi(qv[i * 3 + $0]) * phi(kv[j * 3 + $0]) }.reduce(0, +) }
                for p in 0..<2 {
                    let num = zip(keys, w).map { $1 * vv[$0 * 2 + p] }.reduce(0, +)
                    #expect(abs(y[i * 2 + p] - num / w.reduce(0, +)) < 1e-13)
                }
            }
        }
    }
}
