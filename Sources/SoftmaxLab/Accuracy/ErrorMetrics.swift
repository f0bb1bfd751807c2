/// Error of an output row against its reference.
public struct ErrorMetrics: Sendable, Codable, Equatable {
    /// max |y − ref| / ref over outputs with ref ≥ `relativeFloor`.
    public var maxRelative: Double = 0
    /// max |y − ref|.
    public var maxAbsolute: Double = 0
    /// max |y − ref| / max(1, |ref|): the measure for log-probabilities and logsumexp.
    public var maxScaled: Double = 0
    /// max |Σy − 1| (distribution outputs only).
    public var maxRowSumError: Double = 0

    public init() {}

    /// Outputs below this are excluded from the relative error (they may be flushed to 0).
    public static let relativeFloor = 1e-30

    public mutating func add(output y: ArraySlice<Double>, reference: [Double], isDistribution: Bool) {
        var sum = 0.0, c = 0.0
        for (v, r) in zip(y, reference) {
            if v.isNaN || r.isNaN {
                // NaN where the reference has NaN is right; NaN on one side only is an error.
                if v.isNaN != r.isNaN { maxAbsolute = .nan; maxRelative = .nan; maxScaled = .nan }
                continue
            }
            if v != r {
                let a = abs(v - r)
                maxAbsolute = max(maxAbsolute, a)
                maxScaled = max(maxScaled, a / max(1, abs(r)))
                if r >= Self.relativeFloor { maxRelative = max(maxRelative, a / r) }
            }
            let t = v - c, s = sum + t
            c = (s - sum) - t
            sum = s
        }
        if isDistribution { maxRowSumError = max(maxRowSumError, abs(sum - 1)) }
    }

    public mutating func merge(_ other: ErrorMetrics) {
        maxRelative = max(maxRelative, other.maxRelative)
        maxAbsolute = max(maxAbsolute, other.maxAbsolute)
        maxScaled = max(maxScaled, other.maxScaled)
        maxRowSumError = max(maxRowSumError, other.maxRowSumError)
    }
}
