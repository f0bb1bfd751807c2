/// Reading a tensor's elements as the type a method needs, converting only where that is exact:
/// integers to floats when representable, whole-number floats to indices, 0/1 to booleans.
/// Anything else throws `TensorError.inexactConversion`, naming the tensor.
extension Tensor {
    /// The elements as floating-point values of type `T`. Floats of another width are converted
    /// only when `rounding` is allowed (an explicit `--dtype`); integers only when exact.
    public func floatingPoint<T: KernelScalar>(as: T.Type, name: String, rounding: Bool = false) throws -> [T] {
        func exact<S: BinaryInteger>(_ values: [S]) throws -> [T] {
            try values.map { v in
                guard let f = T(exactly: v) else {
                    throw TensorError.inexactConversion(tensor: name, from: dtype, to: T.self == Float.self ? .float32 : .float64, value: "\(v)")
                }
                return f
            }
        }
        let target: DType = T.self == Float.self ? .float32 : .float64
        switch storage {
        case let .float32(a):
            if let same = sameTypeArray(a, as: T.self) { return same }
            return a.map { T($0) }  // Float → Double is exact
        case let .float64(a):
            if let same = sameTypeArray(a, as: T.self) { return same }
            guard rounding else { throw TensorError.inexactConversion(tensor: name, from: .float64, to: target, value: nil) }
            return a.map { T($0) }
        case let .float16(a): return a.map { T(Float($0)) }
        case let .int32(a): return try exact(a)
        case let .int64(a): return try exact(a)
        case let .bool(a): return a.map { $0 ? 1 : 0 }
        }
    }

    /// The elements as booleans: bools, or integers / floats that are exactly 0 or 1.
    public func booleans(name: String) throws -> [Bool] {
        func convert<S>(_ values: [S], _ isZero: (S) -> Bool, _ isOne: (S) -> Bool) throws -> [Bool] {
            try values.map { v in
                if isZero(v) { return false }
                if isOne(v) { return true }
                throw TensorError.inexactConversion(tensor: name, from: dtype, to: .bool, value: "\(v)")
            }
        }
        switch storage {
        case let .bool(a): return a
        case let .int32(a): return try convert(a, { $0 == 0 }, { $0 == 1 })
        case let .int64(a): return try convert(a, { $0 == 0 }, { $0 == 1 })
        case let .float16(a): return try convert(a, { $0 == 0 }, { $0 == 1 })
        case let .float32(a): return try convert(a, { $0 == 0 }, { $0 == 1 })
        case let .float64(a): return try convert(a, { $0 == 0 }, { $0 == 1 })
        }
    }

    /// The elements as integer indices: integers, or floats holding whole numbers (booleans are
    /// refused: a mask is not a list of indices).
    public func indices(name: String) throws -> [Int] {
        func whole<S: BinaryFloatingPoint>(_ values: [S]) throws -> [Int] {
            try values.map { v in
                guard let i = Int(exactly: v) else {
                    throw TensorError.inexactConversion(tensor: name, from: dtype, to: .int64, value: "\(v)")
                }
                return i
            }
        }
        switch storage {
        case let .int32(a): return a.map(Int.init)
        case let .int64(a): return a.map(Int.init)
        case .bool: throw TensorError.inexactConversion(tensor: name, from: dtype, to: .int64, value: nil)
        case let .float16(a): return try whole(a)
        case let .float32(a): return try whole(a)
        case let .float64(a): return try whole(a)
        }
    }

    /// A tensor of `T` values (float32 or float64 storage).
    public static func of<T: KernelScalar>(_ values: [T], shape: [Int]) -> Tensor {
        if let f = sameTypeArray(values, as: Float.self) { return Tensor(shape: shape, storage: .float32(f)) }
        return Tensor(shape: shape, storage: .float64(sameTypeArray(values, as: Double.self) ?? values.map { Double($0) }))
    }

    /// The same values stored as `dtype` (float16/32/64; rounding to nearest).
    public func converted(toFloat dtype: DType) -> Tensor {
        let doubles: [Double]
        switch storage {
        case let .float16(a): doubles = a.map { Double($0) }
        case let .float32(a): doubles = a.map { Double($0) }
        case let .float64(a): doubles = a
        case let .int32(a): doubles = a.map { Double($0) }
        case let .int64(a): doubles = a.map { Double($0) }
        case let .bool(a): doubles = a.map { $0 ? 1 : 0 }
        }
        switch dtype {
        case .float16:
            if case let .float32(a) = storage { return Tensor(shape: shape, storage: .float16(a.map { Float16($0) })) }
            return Tensor(shape: shape, storage: .float16(doubles.map { Float16(Float($0)) }))
        case .float32:
            if case let .float32(a) = storage { return Tensor(shape: shape, storage: .float32(a)) }
            return Tensor(shape: shape, storage: .float32(doubles.map { Float($0) }))
        default: return Tensor(shape: shape, storage: .float64(doubles))
        }
    }
}

/// Errors about tensors handed to methods.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case inexactConversion(tensor: String, from: DType, to: DType, value: String?)
    case badRank(tensor: String, shape: String, expected: String)
    case shapeMismatch(tensor: String, shape: String, expected: String)
    case badAxis(tensor: String, shape: String, axis: Int, rank: Int)
    case badValue(tensor: String, index: Int, value: String, expected: String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .inexactConversion(tensor, from, to, value):
            let what = value.map { " (value \($0))" } ?? ""
            let hint = from.isFloatingPoint && to.isFloatingPoint ? "; pass --dtype \(to.rawValue) to round explicitly" : ""
            return "input '\(tensor)' is \(from.rawValue) and cannot be converted exactly to \(to.rawValue)\(what)\(hint)"
        case let .badRank(tensor, shape, expected):
            return "input '\(tensor)' has shape \(shape); expected \(expected)"
        case let .shapeMismatch(tensor, shape, expected):
            return "input '\(tensor)' has shape \(shape); expected \(expected)"
        case let .badValue(tensor, index, value, expected):
            return "input '\(tensor)' holds \(value) at index \(index); expected \(expected)"
        case let .badAxis(tensor, shape, axis, rank):
            let r = max(rank, 1)
            return "axis \(axis) is out of range for input '\(tensor)' of shape \(shape); use an axis in \(-r)…\(r - 1)"
        }
    }
}
