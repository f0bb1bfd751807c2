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
        let width = heads * headDim
        var cosines = [Float](repeating: 0, count: headDim / 2), sines = cosines
        for r in 0..<rows {
            let p = Double(positions[r])
            for i in 0..<(headDim / 2) {
                let angle = p * inverseFrequencies[i]
                cosines[i] = Float(cos(angle))
                sines[i] = Float(sin(angle))
            }
            let row = x + r * width
            for h in 0..<heads {
                let v = row + h * headDim
                for i in 0..<(headDim / 2) {
                    let a = v[2 * i], b = v[2 * i + 1]
                    v[2 * i] = a * cosines[i] - b * sines[i]
                    v[2 * i + 1] = a * sines[i] + b * cosines[i]
                }
            }
        }
    }
}
