/// How far an element-wise function (GELU, SiLU, exp approximations) is from its float64
/// reference.
///
/// | field | definition (r = reference, y = method) |
/// |---|---|
/// | `maxAbsolute`, `meanAbsolute` | max and mean |y − r| |
/// | `maxRelative` | max |y − r|/|r| over |r| ≥ 10⁻⁶ |
/// | `maxULP` | max |y − r| in units of the float32 spacing at r (`ulp(Float(r))`), over normal r, capped by the count of float32 values between them (≤ 2³²) |
/// | `worstArgument` | the x of `maxAbsolute` |
public struct ElementwiseMetrics: Sendable, Codable, Equatable {
    /// Arguments measured.
    public var count = 0
    /// Largest absolute error.
    public var maxAbsolute = 0.0
    /// Mean absolute error.
    public var meanAbsolute = 0.0
    /// Largest relative error, over references with |r| ≥ `relativeFloor`.
    public var maxRelative = 0.0
    /// Largest error in units of the float32 spacing at the reference (see the table above).
    public var maxULP = 0.0
    /// The argument where the absolute error is largest.
    public var worstArgument = 0.0
    /// Outputs that were NaN where the reference is not.
    public var nanCount = 0

    /// Empty metrics, ready to accumulate arguments.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case count, maxAbsolute = "max_abs", meanAbsolute = "mean_abs", maxRelative = "max_rel", maxULP = "max_ulp"
        case worstArgument = "worst_x", nanCount = "nan_count"
    }

    /// The smallest |reference| a relative error is taken at, so the function's zeros do not blow it up.
    public static let relativeFloor = 1e-6

    /// Adds one argument `x`, the method's output `y` and the float64 reference `r`.
    public mutating func add(x: Double, y: Double, reference r: Double) {
        count += 1
        if y.isNaN != r.isNaN { nanCount += 1; return }
        let d = r.isNaN || y == r ? 0 : abs(y - r)
        meanAbsolute += (d - meanAbsolute) / Double(count)
        guard d > 0 else { return }
        if d > maxAbsolute { maxAbsolute = d; worstArgument = x }
        if abs(r) >= Self.relativeFloor { maxRelative = max(maxRelative, d / abs(r)) }
        if abs(r) >= Double(Float.leastNormalMagnitude), abs(r) <= Double(Float.greatestFiniteMagnitude) {
            maxULP = max(maxULP, Self.ulpDistance(y, r))
        }
    }

    /// `|y − r|` in units of the float32 spacing at `r`, and never more than the number of float32
    /// values between `Float(y)` and `Float(r)` plus one: a fraction of an ULP stays exact, and a
    /// wild value (an overflow, the wrong sign) counts the float32 values it is away, at most 2³²,
    /// not `|y − r|` over a tiny spacing.
    static func ulpDistance(_ y: Double, _ r: Double) -> Double {
        let byDifference = abs(y - r) / Double(Float(r).ulp)
        return min(byDifference, Double(abs(ordinal(Float(y)) - ordinal(Float(r)))) + 1)
    }

    /// Float32 values in order as integers: −0 and +0 both 0, each next float one more (±∞ at the ends).
    static func ordinal(_ f: Float) -> Int64 {
        let magnitude = Int64(f.magnitude.bitPattern)
        return f.sign == .minus ? -magnitude : magnitude
    }

    /// Folds the metrics of another set of arguments into these.
    public mutating func merge(_ o: ElementwiseMetrics) {
        let total = count + o.count
        if total > 0 { meanAbsolute = (meanAbsolute * Double(count) + o.meanAbsolute * Double(o.count)) / Double(total) }
        count = total
        if o.maxAbsolute > maxAbsolute { maxAbsolute = o.maxAbsolute; worstArgument = o.worstArgument }
        maxRelative = max(maxRelative, o.maxRelative)
        maxULP = max(maxULP, o.maxULP)
        nanCount += o.nanCount
    }
}
