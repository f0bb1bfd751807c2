/// How close a method stays to the exact function it stands in for (`MethodDescriptor.reference`):
/// the bound the registry-wide tests enforce for every normalizer and activation, declared once
/// with the method. The measured figures, which sit inside these bounds, are in the README's method
/// tables (from `softmaxkit accuracy`).
///
/// For normalizers the error is the total variation `½ Σ |q − p|` of each float32 row from the
/// float64 softmax; for activations the absolute error of float32 outputs on `[−30, 30]`.
public enum AccuracyBudget: Sendable, Equatable, CustomStringConvertible {
    /// The reference to rounding: relative error ≤ 2·10⁻⁶ in float32 (10⁻¹⁴ in float64) on
    /// outputs that are not negligibly small.
    case exact
    /// An approximation whose error never exceeds the bound.
    case within(Double)
    /// Outputs are whole multiples of `step`, rounded down (an integer kernel's output grid): each
    /// output may be up to `step` below the exact one, so rows sum to 1 only within `step` per
    /// entry; the error bound is `within`.
    case quantized(step: Double, within: Double)
    /// A replacement: not meant to equal the reference, so no bound (the lab reports its distance).
    case replacement

    /// The largest error the budget allows (0 for `exact`, whose bound is relative; nil for a
    /// replacement).
    public var bound: Double? {
        switch self {
        case .exact: 0
        case let .within(e), let .quantized(_, e): e
        case .replacement: nil
        }
    }

    /// The output grid of a quantized method, else 0.
    public var step: Double {
        if case let .quantized(step, _) = self { step } else { 0 }
    }

    /// The budget as `softmaxkit methods` prints it.
    public var description: String {
        switch self {
        case .exact: "exact"
        case let .within(e): "≤ \(e)"
        case let .quantized(step, e): "≤ \(e) (outputs on a grid of \(step))"
        case .replacement: "replacement"
        }
    }
}
