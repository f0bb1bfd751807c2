import Foundation

/// Rotary position embedding (RoPE; J. Su et al., "RoFormer", 2021) as llama.cpp's NORM mode
/// applies it: within each head, the adjacent pairs `(2i, 2i + 1)` of a row at position `p` are
/// rotated by the angle `p·θ^(−2i/D)`. (Hugging Face's `rotate_half` pairs `i` with `i + D/2`;
/// llama.cpp's converter permutes the query and key rows so that the two agree.) The angles are
/// computed in Double and rounded once.
public struct RotaryEmbedding: Sendable {
    /// Head dimension D (even).
    public let headDim: Int
    /// The base θ.
    public let base: Double
    let inverseFrequencies: [Double]

    /// RoPE for heads of `headDim` with base `base`.
    public init(headDim: Int, base: Double) {
        precondition(headDim % 2 == 0, "RoPE needs an even head dimension, got \(headDim)")
        self.headDim = headDim
        self.base = base
        inverseFrequencies = (0..<(headDim / 2)).map { pow(base, -2 * Double($0) / Double(headDim)) }
    }

    /// Rotates, in place, `rows` rows of `heads · D` values (row `r` at position `positions[r]`).
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, positions: [Int]) {
        let table = Table(self, positions: Array(positions.prefix(rows)))
        for r in 0..<rows { table.apply(x + r * heads * headDim, row: r, heads: heads) }
    }

    /// The cosines and sines of the angles of some positions, `[positions, D/2]` each: computed
    /// once per pass and used by every block (the angles do not depend on the block).
    struct Table {
        let half: Int
        let cosines: [Float], sines: [Float]

        init(_ rope: RotaryEmbedding, positions: [Int]) {
            half = rope.headDim / 2
            var c = [Float](repeating: 0, count: positions.count * half), s = c
            for (r, position) in positions.enumerated() {
                for i in 0..<half {
                    let angle = Double(position) * rope.inverseFrequencies[i]
                    c[r * half + i] = Float(cos(angle))
                    s[r * half + i] = Float(sin(angle))
                }
            }
            cosines = c
            sines = s
        }

        /// Rotates the `heads` heads of one row in place by the angles of the table's row `row`.
        func apply(_ x: UnsafeMutablePointer<Float>, row: Int, heads: Int) {
            let base = row * half
            for h in 0..<heads {
                let v = x + h * 2 * half
                for i in 0..<half {
                    let a = v[2 * i], b = v[2 * i + 1], c = cosines[base + i], s = sines[base + i]
                    v[2 * i] = a * c - b * s
                    v[2 * i + 1] = a * s + b * c
                }
            }
        }
    }
}
