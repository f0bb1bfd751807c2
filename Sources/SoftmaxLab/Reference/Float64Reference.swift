import SoftmaxKit

/// The float64 references every method is measured against: max-subtracted, Kahan-summed, with
/// the edge contract applied directly. Slow and obviously correct.
public enum Float64Reference {
    /// `log Σ eˣ` of one row.
    public static func logSumExp(_ x: ArraySlice<Double>) -> Double {
        if x.contains(where: \.isNaN) { return .nan }
        if x.contains(.infinity) { return .infinity }
        guard let m = x.max(), m > -.infinity else { return -.infinity }
        var sum = 0.0, c = 0.0
        for v in x {
            let y = libmExp(v - m) - c
            let t = sum + y
            c = (t - sum) - y
            sum = t
        }
        return m + libmLog(sum)
    }

    /// Softmax of one row.
    public static func softmax(_ x: ArraySlice<Double>) -> [Double] {
        if x.contains(where: \.isNaN) { return x.map { _ in .nan } }
        let infinities = x.filter { $0 == .infinity }.count
        if infinities > 0 { return x.map { $0 == .infinity ? 1 / Double(infinities) : 0 } }
        let lse = logSumExp(x)
        if lse == -.infinity { return x.map { _ in 0 } }
        return x.map { libmExp($0 - lse) }
    }

    /// Log-softmax of one row.
    public static func logSoftmax(_ x: ArraySlice<Double>) -> [Double] {
        if x.contains(where: \.isNaN) { return x.map { _ in .nan } }
        let infinities = x.filter { $0 == .infinity }.count
        if infinities > 0 { return x.map { $0 == .infinity ? -libmLog(Double(infinities)) : -.infinity } }
        let lse = logSumExp(x)
        return x.map { $0 - lse }
    }

    /// GELU, `x·Φ(x) = ½x·erfc(−x/√2)` (erfc keeps the relative accuracy for negative x).
    public static func gelu(_ x: Double) -> Double {
        if x == .infinity { return x }
        if x == -.infinity { return 0 }
        return x * libmErfc(-x * 0.707_106_781_186_547_5) / 2
    }

    /// SiLU, `x·σ(x)`.
    public static func silu(_ x: Double) -> Double {
        x == -.infinity ? 0 : x / (1 + libmExp(-x))
    }

    /// The element-wise reference function `f` for an activation-like method.
    public static func elementwise(_ f: ReferenceFunction) -> (Double) -> Double {
        switch f {
        case .gelu: gelu
        case .silu: silu
        case .exp: libmExp
        case .softmax, .logSoftmax: { _ in .nan }  // row functions: not element-wise
        }
    }
}
