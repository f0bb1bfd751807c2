import Foundation
import SoftmaxKit

/// BERT's forward pass written for reading, in Double, from the checkpoint's tensors: the
/// definition the Float encoder is tested against on the tiny model.
///
/// ```
/// x = LayerNorm(word[id] + position[i] + type[0])
/// per layer:  a = softmax(q·kᵀ/√d over the sequence's tokens)·v per head
///             x = LayerNorm(x + a·Wₒ + bₒ);  x = LayerNorm(x + GELU(x·W₁ + b₁)·W₂ + b₂)
/// ```
struct ReferenceBert {
    let tensors: [String: (shape: [Int], values: [Float])]
    let hidden: Int, heads: Int, layers: Int, epsilon: Double

    func tensor(_ name: String) -> [Double] { tensors[name]!.values.map(Double.init) }

    /// `x·Wᵀ + b` for `x [n, in]`, `W [out, in]`.
    func linear(_ x: [[Double]], _ name: String) -> [[Double]] {
        let w = tensor(name + ".weight"), b = tensor(name + ".bias")
        let outputs = b.count, inputs = w.count / outputs
        return x.map { row -> [Double] in
            (0..<outputs).map { o -> Double in
                var sum = b[o]
                for i in 0..<inputs { sum += row[i] * w[o * inputs + i] }
                return sum
            }
        }
    }

    func layerNorm(_ x: [[Double]], _ name: String) -> [[Double]] {
        let gamma = tensor(name + ".weight"), beta = tensor(name + ".bias")
        return x.map { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
            return row.indices.map { (row[$0] - mean) / (variance + epsilon).squareRoot() * gamma[$0] + beta[$0] }
        }
    }

    func add(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] { zip(a, b).map { zip($0, $1).map { $0 + $1 } } }

    func gelu(_ x: Double) -> Double { 0.5 * x * erfc(-x / 2.0.squareRoot()) }

    /// The last hidden state of one sequence, `[n, hidden]`.
    func forward(_ ids: [Int]) -> [[Double]] {
        let h = hidden, d = hidden / heads
        let word = tensor("embeddings.word_embeddings.weight"), position = tensor("embeddings.position_embeddings.weight")
        let type = tensor("embeddings.token_type_embeddings.weight")
        var x = ids.enumerated().map { i, id -> [Double] in (0..<h).map { k -> Double in word[id * h + k] + position[i * h + k] + type[k] } }
        x = layerNorm(x, "embeddings.LayerNorm")
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            let q = linear(x, p + "attention.self.query"), k = linear(x, p + "attention.self.key"), v = linear(x, p + "attention.self.value")
            var context = x.map { _ in [Double](repeating: 0, count: h) }
            for head in 0..<heads {
                let columns = (head * d)..<((head + 1) * d)
                for i in x.indices {
                    let scores = x.indices.map { j -> Double in
                        var dot = 0.0
                        for c in columns { dot += q[i][c] * k[j][c] }
                        return dot / Double(d).squareRoot()
                    }
                    let weights = SoftmaxReference.softmax(scores)
                    for c in columns {
                        var sum = 0.0
                        for j in x.indices { sum += weights[j] * v[j][c] }
                        context[i][c] = sum
                    }
                }
            }
            let attended = linear(context, p + "attention.output.dense")
            x = layerNorm(add(x, attended), p + "attention.output.LayerNorm")
            let inner = linear(x, p + "intermediate.dense").map { $0.map(gelu) }
            let out = linear(inner, p + "output.dense")
            x = layerNorm(add(x, out), p + "output.LayerNorm")
        }
        return x
    }
}
