import Foundation

/// The SDM (similarity–distance–magnitude) activation: softmax with base `2 + q` and the logits
/// scaled by a distance quantile `d`,
///
/// ```
/// SDM(z)ᵢ = (2+q)^{d·zᵢ} / Σ_c (2+q)^{d·z_c} = softmax(z·d·ln(2+q))ᵢ
/// log_{2+q} SDM(z) = log_softmax(z·d·ln(2+q)) / ln(2+q)
/// ```
///
/// q = e − 2, d = 1 is softmax; d = 0 the uniform distribution; for d > 0 the arg max is z's. One
/// (q, d) per row. Computed in Double on the row shifted by its maximum, so finite logits up to the
/// type's maximum give a distribution. Edge rows: §0 on the scaled logits; when `d·ln(2+q) = 0`
/// every entry other than `−∞` gets an equal share (+∞ entries included; the spec says "finite
/// entries", and leaves +∞ open) and `−∞` entries 0, where the reference code computes `−∞·0 = NaN`.
///
/// A. Schmaltz, "Similarity-Distance-Magnitude Activations", 2025 (arXiv 2509.12760, Eqs. 4–7);
/// ReexpressAI/reexpress_mcp_server `code/reexpress/sdm_model.py` (`soft_sdm_max`).
public enum SDMActivation {
    /// The paper and the author's code, as the registry cites them.
    public static let citation =
        "A. Schmaltz, Similarity-Distance-Magnitude Activations, 2025 (arXiv 2509.12760); ReexpressAI/reexpress_mcp_server sdm_model.py"

    /// The offset of the base (`q_rescale_offset`).
    public static let offset = 2.0

    /// The logits' scale `d·ln(2 + q)`.
    @inlinable
    public static func scale(q: Double, d: Double) -> Double { d * Foundation.log(offset + q) }

    /// One row: `y = SDM(z)`, or `log_{2+q} SDM(z)` when `log`.
    public static func row<T: KernelScalar>(
        _ z: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, q: Double, d: Double, log: Bool
    ) {
        guard n > 0 else { return }
        let base = Foundation.log(offset + q), s = d * base
        var m = -Double.infinity
        for i in 0..<n {
            let v = Double(z[i])
            if v.isNaN || s.isNaN {
                for j in 0..<n { y[j] = .nan }
                return
            }
            m = max(m, v)
        }
        let zero: T = log ? -.infinity : 0
        // The entries that share the mass when the scaled row has no finite maximum to shift by.
        func share(_ kept: (Double) -> Bool) {
            let k = (0..<n).reduce(0) { $0 + (kept(Double(z[$1])) ? 1 : 0) }
            let each = log ? Foundation.log(1 / Double(k)) / base : 1 / Double(k)
            for j in 0..<n { y[j] = k > 0 && kept(Double(z[j])) ? T(each) : zero }
        }
        if m == -.infinity {
            for j in 0..<n { y[j] = zero }
        } else if s == 0 {
            share { $0 > -.infinity }
        } else if m == .infinity {
            share { $0 == .infinity }
        } else {
            var sum = 0.0
            for i in 0..<n { sum += Foundation.exp(s * (Double(z[i]) - m)) }
            if log {
                let lse = Foundation.log(sum)
                for i in 0..<n { y[i] = T((s * (Double(z[i]) - m) - lse) / base) }
            } else {
                let r = 1 / sum
                for i in 0..<n { y[i] = T(Foundation.exp(s * (Double(z[i]) - m)) * r) }
            }
        }
    }
}

/// The SDM activation with one (q, d) for every row, as a normalizer the lab and the models can
/// swap in for softmax (`--normalizer sdm-activation --param q=… --param d=…`).
public struct SDMKernel: RowKernel {
    /// The similarity q ≥ 0 (e − 2 with d = 1 is softmax).
    public let q: Double
    /// The distance quantile d ≥ 0.
    public let d: Double

    /// The kernel for (q, d).
    public init(q: Double, d: Double) {
        self.q = q
        self.d = d
    }

    /// Every non-empty row: SDM's special rows follow its scale, not softmax's.
    public var handlesSpecialRows: Bool { true }

    /// One row.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        SDMActivation.row(x, y, count: n, q: q, d: d, log: false)
    }

    /// One row.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        SDMActivation.row(x, y, count: n, q: q, d: d, log: false)
    }
}
