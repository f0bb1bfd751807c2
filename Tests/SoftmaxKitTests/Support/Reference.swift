#if canImport(Glibc)
import Glibc
#endif

/// High-precision references for the exact kernels: Float80 arithmetic (64-bit significand),
/// max-subtracted, Kahan-summed, applying the edge contract directly, rounded to Double at
/// the end. Obviously correct first, fast never. Float80 keeps the reference's own error (from
/// rounding xᵢ − m and the sum) far below the 10⁻¹⁴ budget of the Double kernels.
enum Reference {
    static func logSumExp(_ x: [Double]) -> Double { Double(logSumExp80(x)) }

    static func logSumExp80(_ x: [Double]) -> Float80 {
        if x.contains(where: \.isNaN) { return .nan }
        if x.contains(.infinity) { return .infinity }
        guard let m = x.max(), m > -.infinity else { return -.infinity }
        return Float80(m) + logl(sum(x.map { expl(Float80($0) - Float80(m)) }))
    }

    static func softmax(_ x: [Double]) -> [Double] {
        if x.contains(where: \.isNaN) { return x.map { _ in .nan } }
        let infinities = x.filter { $0 == .infinity }.count
        if infinities > 0 { return x.map { $0 == .infinity ? 1 / Double(infinities) : 0 } }
        guard x.max() ?? -.infinity > -.infinity else { return x.map { _ in 0 } }
        let lse = logSumExp80(x)
        return x.map { Double(expl(Float80($0) - lse)) }
    }

    static func logSoftmax(_ x: [Double]) -> [Double] {
        if x.contains(where: \.isNaN) { return x.map { _ in .nan } }
        let infinities = x.filter { $0 == .infinity }.count
        if infinities > 0 { return x.map { $0 == .infinity ? -log(Double(infinities)) : -.infinity } }
        guard x.max() ?? -.infinity > -.infinity else { return x.map { _ in -.infinity } }
        let lse = logSumExp80(x)
        return x.map { Double(Float80($0) - lse) }
    }

    /// Kahan-compensated Float80 sum.
    static func sum(_ values: [Float80]) -> Float80 {
        var s: Float80 = 0, c: Float80 = 0
        for v in values {
            let y = v - c
            let t = s + y
            c = (t - s) - y
            s = t
        }
        return s
    }

    /// The exact-enough sum of a row of outputs (for the rows-sum-to-1 checks).
    static func sum<T: BinaryFloatingPoint>(_ values: [T]) -> Double { Double(sum(values.map { Float80($0) })) }
}
