import Foundation

/// TempNet's temperature heads in evaluation mode (Dropout is the identity): given weights, the τ
/// they predict for an input. σ is the logistic sigmoid.
///
/// LLM head (`tempnet.py`, `LLaMA-2/megatron/model/tempnet.py`): `x = z − max z` (`shift_max`),
/// `x̂ = x/max(‖x‖₂, 1e−12)`, `h = W₂·σ(W₁x̂ + b₁) + b₂`, `w = softmax(h/e^θ)`,
/// `t = w₃·((w − 1/M) ⊙ h) + b₃`, `τ = (τ_max − τ_min)·σ(t) + τ_min`.
///
/// CLIP head (`Bimodal_CL/models/losses.py`, `TempGenerator`): `h = σ(W_p x + b_p)`,
/// `a = h·P̂ᵀ` with the prototypes' rows normalised, `t = w·((softmax(a/e^θ) − 1/M) ⊙ σ(a)) + b`,
/// `τ = (τ_max − τ_min)·σ(t) + τ_min`. x is the (already L2-normalised) embedding, as the code
/// passes it.
public enum TempNetHead {
    static func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

    /// `W·v + b` for a row-major `W [rows × v.count]`.
    static func affine(_ w: ArraySlice<Double>, _ v: [Double], _ b: ArraySlice<Double>) -> [Double] {
        let cols = v.count
        return (0..<b.count).map { r in
            var s = b[b.startIndex + r]
            for c in 0..<cols { s += w[w.startIndex + r * cols + c] * v[c] }
            return s
        }
    }

    static func softmax(_ v: [Double], scale: Double) -> [Double] {
        let top = v.max() ?? 0
        let e = v.map { Foundation.exp(($0 - top) * scale) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// The LLM head's τ for one row of logits `z`.
    public static func llm(
        _ z: ArraySlice<Double>, w1: ArraySlice<Double>, b1: ArraySlice<Double>, w2: ArraySlice<Double>, b2: ArraySlice<Double>,
        w3: ArraySlice<Double>, b3: Double, logScaler: Double, tauMin: Double, tauMax: Double, shiftMax: Bool
    ) -> Double {
        let top = shiftMax ? (z.max() ?? 0) : 0
        var x = z.map { $0 - top }
        let norm = max(Foundation.sqrt(x.reduce(0) { $0 + $1 * $1 }), 1e-12)
        x = x.map { $0 / norm }
        let hidden = affine(w1, x, b1).map(sigmoid)
        let h = affine(w2, hidden, b2)
        let w = softmax(h, scale: Foundation.exp(-logScaler))
        let m = Double(h.count)
        var t = b3
        for i in 0..<h.count { t += w3[w3.startIndex + i] * (w[i] - 1 / m) * h[i] }
        return (tauMax - tauMin) * sigmoid(t) + tauMin
    }

    /// The CLIP head's τ for one embedding `x`.
    public static func clip(
        _ x: ArraySlice<Double>, wp: ArraySlice<Double>, bp: ArraySlice<Double>, prototypes: ArraySlice<Double>, w: ArraySlice<Double>,
        b: Double, logScaler: Double, tauMin: Double, tauMax: Double
    ) -> Double {
        let h = affine(wp, Array(x), bp).map(sigmoid)
        let d = h.count, m = w.count
        let a = (0..<m).map { r -> Double in
            let row = prototypes[(prototypes.startIndex + r * d)..<(prototypes.startIndex + r * d + d)]
            let norm = max(Foundation.sqrt(row.reduce(0) { $0 + $1 * $1 }), 1e-12)
            return zip(row, h).reduce(0) { $0 + $1.0 * $1.1 } / norm
        }
        let p = softmax(a, scale: Foundation.exp(-logScaler))
        var t = b
        for i in 0..<m { t += w[w.startIndex + i] * (p[i] - 1 / Double(m)) * sigmoid(a[i]) }
        return (tauMax - tauMin) * sigmoid(t) + tauMin
    }
}
