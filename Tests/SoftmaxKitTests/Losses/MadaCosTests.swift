import Foundation
import SoftmaxKit
import Testing

/// CFCD's MadaCos against its definition written out in float64 (with `exp` and `log` where the
/// values allow), the gradient by central differences, and the float32 overflow point.
@Suite struct MadaCosTests {
    let registry = MethodRegistry.standard

    /// The reference code's computation, in Double (its `exp(s·cos)` is finite in Double here).
    static func reference(_ cos: [Double], n: Int, c: Int, labels: [Int], alpha: Double, method: String, training: Bool) -> (
        s: Double, mu: Double, median: Double, logB: Double, logits: [Double], loss: Double
    ) {
        let t = (0..<n).map { cos[$0 * c + labels[$0]] }
        let median = t.sorted()[(n - 1) / 2]
        let m = t.firstIndex(of: median)!
        let s = max(32, log(9_999_999 * (1 - alpha) / alpha) / (1 - median))
        let b = (0..<n).map { i in (0..<c).filter { $0 != labels[i] }.map { exp(s * cos[i * c + $0]) }.reduce(0, +) }
        let bAvg = method == "default" ? b[m] : method == "median" ? b.sorted()[(n - 1) / 2] : b.reduce(0, +) / Double(n)
        var mu = median - log(bAvg * alpha / (1 - alpha)) / s
        if mu < 0 || !training { mu = 0 }
        var logits = cos.map { s * $0 }
        for i in 0..<n { logits[i * c + labels[i]] = s * (cos[i * c + labels[i]] - mu) }
        let loss =
            (0..<n).map { i in
                log((0..<c).map { exp(logits[i * c + $0]) }.reduce(0, +)) - logits[i * c + labels[i]]
            }.reduce(0, +) / Double(n)
        return (s, mu, median, log(bAvg), logits, loss)
    }

    func batch(_ n: Int, _ c: Int, seed: UInt64, spread: Double) -> (cos: [Double], labels: [Int]) {
        var g = SplitMix64(seed: seed)
        let labels = (0..<n).map { _ in Int(g.next() % UInt64(c)) }
        var cos = (0..<(n * c)).map { _ in max(-1, min(1, spread * g.normal())) }
        for i in 0..<n { cos[i * c + labels[i]] = min(0.95, abs(cos[i * c + labels[i]]) + 0.3) }
        return (cos, labels)
    }

    @Test(arguments: ["default", "median", "mean"])
    func matchesTheReferenceComputation(method: String) throws {
        for (n, c, seed) in [(7, 5, 1), (8, 10, 2), (1, 2, 3), (16, 3, 4)] as [(Int, Int, UInt64)] {
            let (cos, labels) = batch(n, c, seed: seed, spread: 0.2)
            for training in [true, false] {
                let want = Self.reference(cos, n: n, c: c, labels: labels, alpha: 0.1, method: method, training: training)
                let out = try registry.call(
                    "madacos-loss", inputs: ["cos": Tensor(shape: [n, c], cos), "labels": Tensor(shape: [n], storage: .int64(labels.map(Int64.init)))],
                    parameters: ["alpha": .number(0.1), "method_b": .string(method), "training": .boolean(training)])
                func scalar(_ name: String) -> Double { doubles(out[name]).first ?? .nan }
                #expect(abs(scalar("scale") - want.s) < 1e-12 * want.s)
                #expect(abs(scalar("margin") - want.mu) < 1e-12)
                #expect(scalar("cos_median") == want.median)
                #expect(abs(scalar("log_b_avg") - want.logB) < 1e-10 * max(1, abs(want.logB)))
                #expect(abs(scalar("loss") - want.loss) < 1e-10 * max(1, want.loss), "n \(n) c \(c) \(method) training \(training)")
                for (a, b) in zip(doubles(out["logits"]), want.logits) { #expect(abs(a - b) < 1e-10 * max(1, abs(b))) }
            }
        }
    }

    /// ∂loss/∂cos with s and μ held at the batch's values (the code's backward).
    @Test func gradientByCentralDifferences() throws {
        let (n, c) = (5, 4)
        let (cos, labels) = batch(n, c, seed: 9, spread: 0.3)
        let out = try registry.call(
            "madacos-loss", inputs: ["cos": Tensor(shape: [n, c], cos), "labels": Tensor(shape: [n], storage: .int64(labels.map(Int64.init)))])
        let s = doubles(out["scale"])[0], mu = doubles(out["margin"])[0], grad = doubles(out["grad_cos"])
        func loss(_ x: [Double]) -> Double {
            (0..<n).map { i in
                let l = (0..<c).map { j in s * (x[i * c + j] - (j == labels[i] ? mu : 0)) }
                let top = l.max()!
                return top + log(l.map { exp($0 - top) }.reduce(0, +)) - l[labels[i]]
            }.reduce(0, +) / Double(n)
        }
        for k in 0..<(n * c) {
            var plus = cos, minus = cos
            plus[k] += 1e-7
            minus[k] -= 1e-7
            #expect(abs(grad[k] - (loss(plus) - loss(minus)) / 2e-7) < 1e-5 * max(1, abs(grad[k])), "element \(k)")
        }
    }

    /// Where the reference code's float32 exp(s·cos) overflows (s·cos > 88.7), ln B is still finite
    /// and the margin positive, in float32 as in float64.
    @Test func theFloat32OverflowPoint() throws {
        let (n, c) = (3, 4)
        let cos: [Double] = [0.9, 0.8, 0.1, 0.0, 0.5, 0.92, 0.91, 0.2, 0.95, 0.3, 0.85, 0.9]
        let labels = Tensor(shape: [n], storage: .int64([0, 1, 0]))
        for dtype in [DType.float32, .float64] {
            let out = try registry.call("madacos-loss", inputs: ["cos": Tensor(shape: [n, c], cos).converted(toFloat: dtype), "labels": labels])
            let s = doubles(out["scale"])[0], logB = doubles(out["log_b_avg"])[0], mu = doubles(out["margin"])[0]
            #expect(s * 0.9 > 88.7, "the batch is past float32's exp limit (s = \(s))")
            #expect(logB.isFinite && logB > 88.7 && mu > 0 && doubles(out["loss"])[0].isFinite, "\(dtype): ln B \(logB), μ \(mu)")
        }
        // With ln B exact, the median sample's target probability is α (the rule's design).
        let out = try registry.call("madacos-logits", inputs: ["cos": Tensor(shape: [n, c], cos), "labels": labels])
        let logits = doubles(out["logits"])
        let row = Array(logits[4..<8])  // sample 1 is the median (t = 0.9, 0.92, 0.95), label 1
        let top = row.max()!
        let p = exp(row[1] - top) / row.map { exp($0 - top) }.reduce(0, +)
        #expect(abs(p - 0.02) < 1e-12)
    }

    @Test func edgeCasesAndBadInputs() throws {
        let labels = Tensor(shape: [2], storage: .int64([0, 1]))
        let one = try registry.call("madacos-loss", inputs: ["cos": Tensor(shape: [2, 2], [1, 0, 0, 1] as [Double]), "labels": labels])
        #expect(doubles(one["scale"]) == [.infinity] && doubles(one["loss"])[0].isNaN, "c ≥ 1: s = +∞, NaN outputs")
        let nan = try registry.call("madacos-loss", inputs: ["cos": Tensor(shape: [2, 2], [.nan, 0, 0, 0.5] as [Double]), "labels": labels])
        #expect(doubles(nan["loss"])[0].isNaN && doubles(nan["grad_cos"]).allSatisfy { $0.isNaN })
        for bad in [0.0, 1.0, -0.1] {
            let error = #expect(throws: RegistryError.self) {
                try registry.call(
                    "madacos-loss", inputs: ["cos": Tensor(shape: [2, 2], [0.5, 0, 0, 0.5] as [Double]), "labels": labels], parameters: ["alpha": .number(bad)])
            }
            #expect(error?.description.contains("'alpha'") == true)
        }
        #expect(throws: TensorError.self) {
            try registry.call(
                "madacos-loss", inputs: ["cos": Tensor(shape: [2, 1], [0.5, 0.5] as [Double]), "labels": Tensor(shape: [2], storage: .int64([0, 0]))])
        }
        #expect(throws: LossError.self) {
            try registry.call(
                "madacos-loss", inputs: ["cos": Tensor(shape: [2, 2], [0.5, 0, 0, 0.5] as [Double]), "labels": Tensor(shape: [2], storage: .int64([0, 2]))])
        }
    }
}
