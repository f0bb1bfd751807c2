import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit

/// The paper's model for modular addition: one-hot `a` and one-hot `b` concatenated (2p inputs),
/// two hidden ReLU layers, `p` output logits, no biases (`MLP(hidden_sizes=[200, 200],
/// bias=False)`), PyTorch's default initialisation `U(±1/√fan_in)`.
///
/// Weights are row-major `[in × out]` so a layer is `X·W`. The first layer's product with a
/// one-hot input is a gather of two rows of `W1`, and its gradient a scatter-add; the other layers
/// run on the packed SIMD `Gemm`. Float throughout, as the paper trains in float32.
public struct GrokkingMLP: Sendable {
    public let modulus: Int, hidden: Int
    /// `[2p × h]`, `[h × h]`, `[h × p]`.
    public var w1: [Float], w2: [Float], w3: [Float]

    /// The model for `p` with `h` hidden units, weights uniform in ±1/√fan-in (PyTorch's `nn.Linear` default) from `seed`.
    public init(modulus p: Int, hidden h: Int, seed: UInt64) {
        modulus = p
        hidden = h
        var g = SeededGenerator(seed: seed)
        func uniform(_ count: Int, fanIn: Int) -> [Float] {
            let bound = 1 / Double(fanIn).squareRoot()
            return (0..<count).map { _ in Float(Double.random(in: -bound...bound, using: &g)) }
        }
        w1 = uniform(2 * p * h, fanIn: 2 * p)
        w2 = uniform(h * h, fanIn: h)
        w3 = uniform(h * p, fanIn: h)
    }

    /// Activations kept for the backward pass.
    public struct Activations {
        var h1: [Float], h2: [Float]
        /// Logits `[n × p]`.
        public var logits: [Float]
    }

    /// Logits `[n × p]` for the pairs.
    public func forward(_ pairs: [(a: Int, b: Int, label: Int)], threads: Int) -> Activations {
        let n = pairs.count, h = hidden, p = modulus
        var h1 = [Float](repeating: 0, count: n * h)
        for (i, pair) in pairs.enumerated() {
            let ra = pair.a * h, rb = (p + pair.b) * h
            for k in 0..<h { h1[i * h + k] = max(0, w1[ra + k] + w1[rb + k]) }
        }
        var h2 = [Float](repeating: 0, count: n * h)
        multiply(n, h, h, h1, h, false, w2, h, false, into: &h2, threads: threads)
        for k in h2.indices { h2[k] = max(0, h2[k]) }
        var logits = [Float](repeating: 0, count: n * p)
        multiply(n, p, h, h2, h, false, w3, p, false, into: &logits, threads: threads)
        return Activations(h1: h1, h2: h2, logits: logits)
    }

    /// Gradients of the loss with respect to `w1`, `w2`, `w3`, given `∂loss/∂logits`.
    public func backward(_ pairs: [(a: Int, b: Int, label: Int)], _ act: Activations, logitGradient g: [Float], threads: Int)
        -> (w1: [Float], w2: [Float], w3: [Float])
    {
        let n = pairs.count, h = hidden, p = modulus
        var d3 = [Float](repeating: 0, count: h * p)
        multiply(h, p, n, act.h2, h, true, g, p, false, into: &d3, threads: threads)
        var dh2 = [Float](repeating: 0, count: n * h)
        multiply(n, h, p, g, p, false, w3, p, true, into: &dh2, threads: threads)
        for k in dh2.indices where act.h2[k] <= 0 { dh2[k] = 0 }
        var d2 = [Float](repeating: 0, count: h * h)
        multiply(h, h, n, act.h1, h, true, dh2, h, false, into: &d2, threads: threads)
        var dh1 = [Float](repeating: 0, count: n * h)
        multiply(n, h, h, dh2, h, false, w2, h, true, into: &dh1, threads: threads)
        var d1 = [Float](repeating: 0, count: 2 * p * h)
        for (i, pair) in pairs.enumerated() {
            let ra = pair.a * h, rb = (p + pair.b) * h
            for k in 0..<h where act.h1[i * h + k] > 0 {
                d1[ra + k] += dh1[i * h + k]
                d1[rb + k] += dh1[i * h + k]
            }
        }
        return (d1, d2, d3)
    }

    /// `C[m × n] = op(A)·op(B)`, each operand row-major with leading dimension `ld`.
    private func multiply(
        _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ lda: Int, _ ta: Bool, _ b: [Float], _ ldb: Int, _ tb: Bool,
        into c: inout [Float], threads: Int
    ) {
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    Gemm.multiply(
                        m: m, n: n, k: k, Gemm.Operand(ap.baseAddress!, ld: lda, transposed: ta),
                        Gemm.Operand(bp.baseAddress!, ld: ldb, transposed: tb), into: cp.baseAddress!, ldc: n, threads: threads)
                }
            }
        }
    }
}
