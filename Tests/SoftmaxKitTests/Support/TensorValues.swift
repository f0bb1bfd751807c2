import SoftmaxKit
import Testing

extension Tensor? {
    /// The float64 values of a method's output, or nil (for `#require`) when it is absent or another dtype.
    var float64: [Double]? { if case let .float64(v)? = self?.storage { v } else { nil } }
    /// The float32 values, likewise.
    var float32: [Float]? { if case let .float32(v)? = self?.storage { v } else { nil } }
}

/// A method output's values as Double (float64, float32 or int64 storage); a missing output or a
/// boolean one records a failure.
func doubles(_ t: Tensor?, sourceLocation: SourceLocation = #_sourceLocation) -> [Double] {
    switch t?.storage {
    case let .float64(v)?: return v
    case let .float32(v)?: return v.map(Double.init)
    case let .int64(v)?: return v.map(Double.init)
    default:
        Issue.record("expected a numeric output, got \(t.map { "\($0.dtype)" } ?? "none")", sourceLocation: sourceLocation)
        return []
    }
}
