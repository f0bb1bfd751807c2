import MatrixMultiply
import SoftmaxKit

/// Performer's positive random features for `exp(s·q·k)` (FAVOR+), rows of `X [N, d]` against a
/// projection `W [r, d]` (an input: orthogonal random features are drawn by the caller, so results
/// are reproducible):
///
/// ```
/// ideal:       x̃ = √s·x,  u = W x̃,  φ⁺(x) = exp(u − ‖x̃‖²/2)/√r             (r features)
/// hyperbolic:  φ(x) = exp(−‖x̃‖²/2)/√(2r)·[exp(u), exp(−u)]                  (2r features)
/// google:      x̃ = d^{−1/4}·x, u = W x̃, h = ‖x̃‖²/2, ratio = 1/√r;
///              queries ratio·(exp(u − h − maxᵣ u) + ε), keys ratio·(exp(u − h − max_{keys, r} u) + ε)
/// ```
/// `E[φ(q)·φ(k)] = e^{s q·k}` for rows of W ~ N(0, I_d) (ideal and hyperbolic; the google form's
/// max-shifts cancel in attention when ε = 0).
///
/// K. Choromanski et al., "Rethinking Attention with Performers", ICLR 2021 (arXiv 2009.14794);
/// google-research `performer/fast_attention`.
enum FavorFeatures {
    static func ideal<T: KernelScalar>(_ x: [T], rows n: Int, dim d: Int, _ w: [T], features r: Int, temperature s: T, hyperbolic: Bool) -> [T] {
        let root = s.squareRoot()
        let width = hyperbolic ? 2 * r : r
        var phi = [T](repeating: 0, count: n * width)
        let norm = 1 / T(width).squareRoot()
        for i in 0..<n {
            var h = T(0)
            for p in 0..<d { h += (root * x[i * d + p]) * (root * x[i * d + p]) }
            h /= 2
            for f in 0..<r {
                var u = T(0)
                for p in 0..<d { u += w[f * d + p] * root * x[i * d + p] }
                if hyperbolic {
                    phi[i * width + f] = T.scalarExp(u - h) * norm
                    phi[i * width + r + f] = T.scalarExp(-u - h) * norm
                } else {
                    phi[i * width + f] = T.scalarExp(u - h) * norm
                }
            }
        }
        return phi
    }

    static func google<T: KernelScalar>(_ x: [T], rows n: Int, dim d: Int, _ w: [T], features r: Int, isQuery: Bool, epsilon: T) -> [T] {
        let c = T.scalarExp(-T.scalarLog(T(d)) / 4)  // d^{−1/4}
        var u = [T](repeating: 0, count: n * r), h = [T](repeating: 0, count: n)
        for i in 0..<n {
            for p in 0..<d { h[i] += (c * x[i * d + p]) * (c * x[i * d + p]) }
            h[i] /= 2
            for f in 0..<r {
                var dot = T(0)
                for p in 0..<d { dot += w[f * d + p] * c * x[i * d + p] }
                u[i * r + f] = dot
            }
        }
        let ratio = 1 / T(r).squareRoot()
        let globalMax = u.max() ?? 0
        var phi = [T](repeating: 0, count: n * r)
        for i in 0..<n {
            let shift = isQuery ? (u[(i * r)..<((i + 1) * r)].max() ?? 0) : globalMax
            for f in 0..<r { phi[i * r + f] = ratio * (T.scalarExp(u[i * r + f] - h[i] - shift) + epsilon) }
        }
        return phi
    }
}

/// Attention from feature maps: `out = φ(Q)(φ(K)ᵀV) / φ(Q)(φ(K)ᵀ1)`, causal by prefix sums, with the
/// official code's denominator guard `R ← R + 2ε·[|R| ≤ ε]` when ε > 0. O(N·r·(d + Dv)).
enum FeatureAttention {
    static func run<T: KernelScalar>(
        phiQ: [T], phiK: [T], v: [T], queries nq: Int, keys nk: Int, features r: Int, valueDim dv: Int,
        causal: Bool, epsilon: T
    ) -> [T] {
        var state = [T](repeating: 0, count: r * dv), normaliser = [T](repeating: 0, count: r)
        var out = [T](repeating: 0, count: nq * dv)
        func accumulate(_ j: Int) {
            for f in 0..<r {
                normaliser[f] += phiK[j * r + f]
                for p in 0..<dv { state[f * dv + p] += phiK[j * r + f] * v[j * dv + p] }
            }
        }
        func read(_ i: Int) {
            var den = T(0)
            for f in 0..<r { den += phiQ[i * r + f] * normaliser[f] }
            if epsilon > 0, abs(den) <= epsilon { den += 2 * epsilon }
            guard den != 0 else { return }
            for p in 0..<dv {
                var num = T(0)
                for f in 0..<r { num += phiQ[i * r + f] * state[f * dv + p] }
                out[i * dv + p] = num / den
            }
        }
        if causal {
            for i in 0..<nq {
                if i < nk { accumulate(i) }
                read(i)
            }
        } else {
            for j in 0..<nk { accumulate(j) }
            for i in 0..<nq { read(i) }
        }
        return out
    }
}

/// The Float paths of the feature attentions on the packed matrix multiply: `φ(K)ᵀV` and `φ(Q)·state`
/// are GEMMs (O(N·r·Dv) each), the rest is O(N·r). Non-causal; the causal form stays the prefix-sum
/// recurrence of `FeatureAttention.run`.
enum FeatureAttentionFloat {
    static func run(
        phiQ: [Float], phiK: [Float], v: [Float], queries nq: Int, keys nk: Int, features r: Int, valueDim dv: Int,
        epsilon: Float
    ) -> [Float] {
        var state = [Float](repeating: 0, count: r * dv), num = [Float](repeating: 0, count: nq * dv)
        var normaliser = [Float](repeating: 0, count: r)
        for j in 0..<nk { for f in 0..<r { normaliser[f] += phiK[j * r + f] } }
        guard nq > 0, nk > 0 else { return num }
        phiK.withUnsafeBufferPointer { kb in
            v.withUnsafeBufferPointer { vb in
                state.withUnsafeMutableBufferPointer { sb in
                    Gemm.multiply(
                        m: r, n: dv, k: nk, Gemm.Operand(kb.baseAddress!, ld: r, transposed: true), Gemm.Operand(vb.baseAddress!, ld: dv),
                        into: sb.baseAddress!, ldc: dv)
                }
            }
        }
        phiQ.withUnsafeBufferPointer { qb in
            state.withUnsafeBufferPointer { sb in
                num.withUnsafeMutableBufferPointer { nb in
                    Gemm.multiply(
                        m: nq, n: dv, k: r, Gemm.Operand(qb.baseAddress!, ld: r), Gemm.Operand(sb.baseAddress!, ld: dv),
                        into: nb.baseAddress!, ldc: dv)
                }
            }
        }
        for i in 0..<nq {
            var den: Float = 0
            for f in 0..<r { den += phiQ[i * r + f] * normaliser[f] }
            if epsilon > 0, abs(den) <= epsilon { den += 2 * epsilon }
            let inverse: Float = den != 0 ? 1 / den : 0
            for p in 0..<dv { num[i * dv + p] *= inverse }
        }
        return num
    }

    /// `u = c·X·Wᵀ` (n × r) on the matrix multiply.
    static func projections(_ x: [Float], rows n: Int, dim d: Int, _ w: [Float], features r: Int, scale c: Float) -> [Float] {
        var u = [Float](repeating: 0, count: n * r)
        guard n > 0 else { return u }
        x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                u.withUnsafeMutableBufferPointer { ub in
                    Gemm.multiply(
                        m: n, n: r, k: d, Gemm.Operand(xb.baseAddress!, ld: d), Gemm.Operand(wb.baseAddress!, ld: d, transposed: true),
                        into: ub.baseAddress!, ldc: r, alpha: c)
                }
            }
        }
        return u
    }

    /// Positive FAVOR features `exp(u − ‖x̃‖²/2)/√r`, x̃ = √s·x, with the projections on the GEMM;
    /// `hyperbolic`: `[exp(u − ‖x̃‖²/2), exp(−u − ‖x̃‖²/2)]/√(2r)` (2r features per row).
    static func ideal(
        _ x: [Float], rows n: Int, dim d: Int, _ w: [Float], features r: Int, temperature s: Float,
        hyperbolic: Bool = false
    ) -> [Float] {
        let root = s.squareRoot()
        let u = projections(x, rows: n, dim: d, w, features: r, scale: root)
        let width = hyperbolic ? 2 * r : r
        var phi = hyperbolic ? [Float](repeating: 0, count: n * width) : u
        let norm = 1 / Float(width).squareRoot()
        phi.withUnsafeMutableBufferPointer { out in
            for i in 0..<n {
                var h: Float = 0
                for p in 0..<d { h += (root * x[i * d + p]) * (root * x[i * d + p]) }
                h /= 2
                let row = out.baseAddress! + i * width
                if hyperbolic {
                    for f in 0..<r {
                        row[f] = u[i * r + f]
                        row[r + f] = -u[i * r + f]
                    }
                }
                expInPlace(row, count: width, shift: h, scale: norm, add: 0)
            }
        }
        return phi
    }

    /// `p[i] = scale·(e^{p[i] − shift} + add)` with the vector exponential (≤ 1 ULP).
    @inline(__always)
    static func expInPlace(_ p: UnsafeMutablePointer<Float>, count n: Int, shift: Float, scale: Float, add: Float) {
        let sv = SIMD16<Float>(repeating: shift), kv = SIMD16<Float>(repeating: scale), av = SIMD16<Float>(repeating: add)
        var i = 0
        while i + 16 <= n {
            Float.store((Float.exp(Float.load(p + i) - sv) + av) * kv, to: p + i)
            i += 16
        }
        while i < n {
            p[i] = scale * (Float.scalarExp(p[i] - shift) + add)
            i += 1
        }
    }

    /// The official features (see `FavorFeatures.google`) with the projections on the GEMM.
    static func google(_ x: [Float], rows n: Int, dim d: Int, _ w: [Float], features r: Int, isQuery: Bool, epsilon: Float) -> [Float] {
        let c = Float.scalarExp(-Float.scalarLog(Float(d)) / 4)
        var u = projections(x, rows: n, dim: d, w, features: r, scale: c)
        let ratio = 1 / Float(r).squareRoot(), globalMax = u.max() ?? 0
        for i in 0..<n {
            var h: Float = 0
            for p in 0..<d { h += (c * x[i * d + p]) * (c * x[i * d + p]) }
            h /= 2
            var shift = globalMax
            if isQuery {
                shift = -.infinity
                for f in 0..<r { shift = max(shift, u[i * r + f]) }
            }
            u.withUnsafeMutableBufferPointer { expInPlace($0.baseAddress! + i * r, count: r, shift: h + shift, scale: ratio, add: epsilon) }
        }
        return u
    }
}
