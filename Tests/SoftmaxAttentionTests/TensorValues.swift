import SoftmaxKit
import Testing

extension Tensor? {
    /// The float64 values of a method's output, or nil (for `#require`) when it is absent or another dtype.
    var float64: [Double]? { if case let .float64(v)? = self?.storage { v } else { nil } }
    /// The float32 values, likewise.
    var float32: [Float]? { if case let .float32(v)? = self?.storage { v } else { nil } }
}

/// A method output's float64 values; a missing output or another dtype records a failure.
func float64s(_ t: Tensor?, sourceLocation: SourceLocation = #_sourceLocation) -> [Double] {
    guard case let .float64(v)? = t?.storage else {
        Issue.record("expected a float64 output, got \(t.map { "\($0.dtype)" } ?? "none")", sourceLocation: sourceLocation)
        return []
    }
    return v
}
