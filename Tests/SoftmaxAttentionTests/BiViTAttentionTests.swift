import Foundation
import SoftmaxAttention
import SoftmaxKit
import Testing

/// `bivit-sab-attention` against SAB(scale·QKᵀ)·V written out in float64.
@Suite struct BiViTAttentionTests {
    let registry = MethodRegistry.complete

    func matrix(_ rows: Int, _ cols: Int, seed: UInt64) -> (Tensor, [Double]) {
        var g = SeededGenerator(seed: seed)
        let v = (0..<(rows * cols)).map { _ in g.normal() }
        return (Tensor(shape: [rows, cols], v), v)
    }

    @Test func binarizedWeightsTimesValues() throws {
        let (nq, nk, d, dv) = (6, 9, 4, 3)
        let (q, qv) = matrix(nq, d, seed: 11), (k, kv) = matrix(nk, d, seed: 12), (v, vv) = matrix(nk, dv, seed: 13)
        var keep = [Bool](repeating: true, count: nq * nk)
        keep[2 * nk + 4] = false
        for j in 0..<nk { keep[5 * nk + j] = false }  // query 5 sees nothing
        let mask = Tensor(shape: [nq, nk], keep)
        for causal in [false, true] {
            var parameters: [String: ParameterValue] = ["ratio": .number(0.3)]
            if causal { parameters["causal"] = .string("bottom-right") }
            let out = try registry.call("bivit-sab-attention", inputs: ["Q": q, "K": k, "V": v, "mask": mask], parameters: parameters)
            let b = float64s(out["B"]), y = float64s(out["out"])
            for i in 0..<nq {
                let visible = (0..<nk).map { j in keep[i * nk + j] && (!causal || j <= i + nk - nq) }
                let s = (0..<nk).map { j in
                    visible[j] ? (0..<d).map { qv[i * d + $0] * kv[j * d + $0] }.reduce(0, +) / Double(d).squareRoot() : -Double.infinity
                }
                let m = s.max()!
                let want = s.map { m > -.infinity && $0 > -.infinity && $0 >= m - log(1 / 0.3) ? 1.0 : 0 }
                #expect(Array(b[(i * nk)..<(i * nk + nk)]) == want, "query \(i) causal \(causal)")
                for p in 0..<dv {
                    let expected = (0..<nk).map { want[$0] * vv[$0 * dv + p] }.reduce(0, +)
                    #expect(abs(y[i * dv + p] - expected) < 1e-13)
                }
            }
            #expect(Array(y[(5 * dv)..<(6 * dv)]) == [0, 0, 0], "a query with no visible key gives zeros")
        }
        let error = #expect(throws: RegistryError.self) {
            try registry.call("bivit-sab-attention", inputs: ["Q": q, "K": k, "V": v], parameters: ["ratio": .number(2)])
        }
        #expect(error?.description.contains("'ratio'") == true)
    }

    /// The engine is exact (SAB's definition) in float32 too: the same 0/1 matrix where scores are
    /// not within rounding of a threshold, and the batched form equals the per-head one.
    @Test func float32AndBatchedHeads() throws {
        let (q, _) = matrix(2 * 3 * 5, 8, seed: 21), (k, _) = matrix(2 * 3 * 7, 8, seed: 22), (v, _) = matrix(2 * 3 * 7, 4, seed: 23)
        let q4 = Tensor(shape: [2, 3, 5, 8], storage: q.converted(toFloat: .float32).storage)
        let k4 = Tensor(shape: [2, 3, 7, 8], storage: k.converted(toFloat: .float32).storage)
        let v4 = Tensor(shape: [2, 3, 7, 4], storage: v.converted(toFloat: .float32).storage)
        let out = try registry.call("bivit-sab-attention", inputs: ["Q": q4, "K": k4, "V": v4])["out"]
        #expect(out?.shape == [2, 3, 5, 4] && out?.dtype == .float32)
    }
}
