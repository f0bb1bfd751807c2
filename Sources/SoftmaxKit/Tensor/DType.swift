/// The element types a `Tensor` holds: those of NumPy's `.npy` files that SoftmaxKit reads and writes.
public enum DType: String, CaseIterable, Sendable, Codable {
    case float16, float32, float64, int32, int64, bool

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float16: 2
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .bool: 1
        }
    }

    /// Whether elements are floats.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }
}
