/// An n-dimensional array in C order with a dynamic element type: what the command line and the
/// method registry pass around (kernels take typed `RowBatch` views instead).
public struct Tensor: Sendable, Equatable {
    /// The elements, typed.
    public enum Storage: Sendable, Equatable {
        case float16([Float16])
        case float32([Float])
        case float64([Double])
        case int32([Int32])
        case int64([Int64])
        case bool([Bool])

        /// The number of elements.
        public var count: Int {
            switch self {
            case let .float16(a): a.count
            case let .float32(a): a.count
            case let .float64(a): a.count
            case let .int32(a): a.count
            case let .int64(a): a.count
            case let .bool(a): a.count
            }
        }

        /// The element type.
        public var dtype: DType {
            switch self {
            case .float16: .float16
            case .float32: .float32
            case .float64: .float64
            case .int32: .int32
            case .int64: .int64
            case .bool: .bool
            }
        }
    }

    /// The dimensions, outermost first (`[]` for a scalar).
    public let shape: [Int]
    /// The elements in C order.
    public let storage: Storage

    /// - Precondition: the storage holds exactly `shape.reduce(1, *)` elements.
    public init(shape: [Int], storage: Storage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(storage.count == shape.reduce(1, *), "Tensor: \(storage.count) elements do not fill shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// A float32 tensor.
    public init(shape: [Int], _ values: [Float]) { self.init(shape: shape, storage: .float32(values)) }
    /// A float64 tensor.
    public init(shape: [Int], _ values: [Double]) { self.init(shape: shape, storage: .float64(values)) }
    /// A boolean tensor.
    public init(shape: [Int], _ values: [Bool]) { self.init(shape: shape, storage: .bool(values)) }

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of elements.
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The shape written as NumPy prints it: `(3, 4)`, `(5,)`, `()`.
    public var shapeDescription: String { Tensor.describe(shape: shape) }

    /// A shape written as NumPy prints it, for messages.
    public static func describe(shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}
