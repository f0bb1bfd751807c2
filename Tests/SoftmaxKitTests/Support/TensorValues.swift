import SoftmaxKit

extension Optional<Tensor> {
    /// The float64 values of a method's output, or nil (for `#require`) when it is absent or another dtype.
    var float64: [Double]? { if case let .float64(v)? = self?.storage { v } else { nil } }
    /// The float32 values, likewise.
    var float32: [Float]? { if case let .float32(v)? = self?.storage { v } else { nil } }
}
