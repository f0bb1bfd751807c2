import Foundation

/// BiViT's softmax-aware binarization (SAB): each row of attention probabilities becomes a 0/1
/// row that keeps the entries within a fixed fraction `r` of the row's largest probability,
///
/// ```
/// SAB(x)ⱼ = 1 if softmax(x)ⱼ ≥ r·maxₖ softmax(x)ₖ else 0   ⇔   xⱼ ≥ maxₖ xₖ − ln(1/r)
/// ```
///
/// a dynamic per-row threshold (r = 0.25 in the official code). Rows are not renormalised and get
/// no scale factor. Computed in the logit form, in Double (exact in exact arithmetic; the official
/// code's probability form can differ within a few ulps of the threshold). Edge rows as the spec
/// chooses: `−∞` (masked) → 0; ties at the maximum → 1; a row with `+∞` keeps its `+∞` entries (and,
/// for r = 0, every finite entry, as 0 ≥ 0·max p); a fully masked row → zeros; NaN → NaN row.
///
/// Y. He et al., "BiViT: Extremely Compressed Binary Vision Transformers", ICCV 2023
/// (arXiv 2211.07091); ThisisBillhe/BiViT `binary_modules/utils_quant.py` (`SoftmaxBinaryQuantizer`).
public struct SoftmaxAwareBinarizationKernel: RowKernel {
    /// The paper and the official code, as the registry cites them (here and in the attention engine).
    public static let citation =
        "Y. He et al., BiViT: Extremely Compressed Binary Vision Transformers, ICCV 2023 (arXiv 2211.07091); ThisisBillhe/BiViT binary_modules"

    /// `r ∈ [0, 1]`: the fraction of the largest probability an entry must reach.
    public let ratio: Double

    /// The kernel for ratio `r`.
    public init(ratio: Double = 0.25) { self.ratio = ratio }

    /// Every non-empty row comes here: the special rows follow SAB's own rules, not softmax's.
    public var handlesSpecialRows: Bool { true }

    /// Binarizes one row.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    /// Binarizes one row.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, count: n)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        var m = -Double.infinity
        for i in 0..<n {
            let v = Double(x[i])
            if v.isNaN {
                for j in 0..<n { y[j] = .nan }
                return
            }
            m = max(m, v)
        }
        if m == -.infinity {
            for j in 0..<n { y[j] = 0 }
        } else if m == .infinity {
            for j in 0..<n { y[j] = x[j] == .infinity || (ratio == 0 && x[j] > -.infinity) ? 1 : 0 }
        } else {
            let threshold = ratio == 0 ? -Double.infinity : m - Foundation.log(1 / ratio)
            for j in 0..<n {
                let v = Double(x[j])
                y[j] = v > -.infinity && v >= threshold ? 1 : 0
            }
        }
    }
}

/// SAB's straight-through backward: the forward value is `sg(SAB(x)) − sg(p) + p` with
/// `p = softmax(x)`, so the gradient is softmax's, `∂L/∂x = p ⊙ (g − ⟨g, p⟩)`, row by row.
/// Fully masked rows give zeros and NaN rows NaN (softmax's edge contract); computed in Double.
public enum SoftmaxAwareBinarizationBackward {
    /// `dx` for one row of scores `x` and upstream gradient `g` (all of length `n`).
    public static func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, into dx: UnsafeMutablePointer<T>, count n: Int) {
        var p = [Double](repeating: 0, count: n)
        let xs = (0..<n).map { Double(x[$0]) }
        if xs.contains(where: \.isNaN) {
            for j in 0..<n { dx[j] = .nan }
            return
        }
        let m = xs.max() ?? -.infinity
        if m == -.infinity {
            for j in 0..<n { dx[j] = 0 }
            return
        }
        if m == .infinity {
            let top = Double(xs.filter { $0 == .infinity }.count)
            for j in 0..<n { p[j] = xs[j] == .infinity ? 1 / top : 0 }
        } else {
            var sum = 0.0
            for j in 0..<n {
                p[j] = Foundation.exp(xs[j] - m)
                sum += p[j]
            }
            for j in 0..<n { p[j] /= sum }
        }
        var inner = 0.0
        for j in 0..<n where p[j] != 0 { inner += Double(g[j]) * p[j] }
        for j in 0..<n { dx[j] = T(p[j] == 0 ? 0 : p[j] * (Double(g[j]) - inner)) }
    }
}
