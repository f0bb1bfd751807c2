import CSoftmaxKit
import SoftmaxKit

/// A caller's `sk_tensor`, checked: a known element type, a rank of at most 64, non-negative
/// dimensions whose product fits, element-aligned strides, and data wherever there are elements.
struct StridedTensor {
    let data: UnsafeMutableRawPointer?
    let dtype: DType
    let shape: [Int]
    /// Byte strides, one per dimension.
    let strides: [Int]
    let count: Int

    /// A tensor already checked.
    init(data: UnsafeMutableRawPointer?, dtype: DType, shape: [Int], strides: [Int], count: Int) {
        (self.data, self.dtype, self.shape, self.strides, self.count) = (data, dtype, shape, strides, count)
    }

    /// Checks `t`; `name` is used in messages (`x`, `out`, `mask`).
    init(_ t: UnsafePointer<sk_tensor>?, name: String) throws {
        guard let t else { throw ABIError.argument("tensor '\(name)' is a null pointer") }
        let c = t.pointee
        guard let dtype = DType(abi: c.dtype) else {
            throw ABIError.dtype("tensor '\(name)' has dtype code \(c.dtype); expected 0…5 (float16, float32, float64, int32, int64, bool)")
        }
        guard c.ndim >= 0 && c.ndim <= 64 else { throw ABIError.shape("tensor '\(name)' has ndim \(c.ndim); expected 0…64") }
        let ndim = Int(c.ndim)
        guard ndim == 0 || c.shape != nil else { throw ABIError.argument("tensor '\(name)' has ndim \(ndim) and a null shape") }
        let shape = (0..<ndim).map { Int(c.shape![$0]) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ABIError.shape("tensor '\(name)' has a negative dimension in \(Tensor.describe(shape: shape))")
        }
        var count = 1
        for n in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw ABIError.shape("tensor '\(name)' of shape \(Tensor.describe(shape: shape)) has too many elements") }
            count = p
        }
        let size = dtype.size
        var strides: [Int]
        if let s = c.strides {
            strides = (0..<ndim).map { Int(s[$0]) }
            for (d, stride) in strides.enumerated() where stride % size != 0 {
                throw ABIError.argument(
                    "tensor '\(name)' has stride \(stride) bytes in dimension \(d), not a multiple of its \(size)-byte elements")
            }
        } else {
            strides = [Int](repeating: size, count: ndim)
            for d in stride(from: ndim - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * max(shape[d + 1], 1) }
        }
        guard count == 0 || c.data != nil else { throw ABIError.argument("tensor '\(name)' has \(count) elements and null data") }
        if let data = c.data, Int(bitPattern: data) % size != 0 {
            throw ABIError.argument("tensor '\(name)' data is not aligned to its \(size)-byte elements")
        }
        (self.data, self.dtype, self.shape, self.strides, self.count) = (c.data, dtype, shape, strides, count)
    }

    /// Checks a NumPy array interface: version 2 of the struct, native byte order, a float, integer
    /// or boolean type SoftmaxKit reads, and (for an output) writeable.
    init(_ a: UnsafePointer<sk_array_interface>?, name: String, writeable: Bool) throws {
        guard let a, a.pointee.two == 2 else { throw ABIError.argument("array '\(name)' is not a NumPy array interface") }
        let i = a.pointee
        let kind = UInt8(bitPattern: i.typekind)
        let dtype: DType? =
            switch (kind, i.itemsize) {
            case (UInt8(ascii: "f"), 2): .float16
            case (UInt8(ascii: "f"), 4): .float32
            case (UInt8(ascii: "f"), 8): .float64
            case (UInt8(ascii: "i"), 4): .int32
            case (UInt8(ascii: "i"), 8): .int64
            case (UInt8(ascii: "b"), 1): .bool
            default: nil
            }
        guard let dtype else {
            throw ABIError.dtype(
                "array '\(name)' has type '\(Character(Unicode.Scalar(kind)))' of \(i.itemsize) bytes; expected float16/32/64, int32/64 or bool")
        }
        guard i.flags & 0x200 != 0 else { throw ABIError.dtype("array '\(name)' is not in native byte order") }
        guard !writeable || i.flags & 0x400 != 0 else { throw ABIError.argument("array '\(name)' is read-only") }
        guard i.nd >= 0 && i.nd <= 64 else { throw ABIError.shape("array '\(name)' has rank \(i.nd); expected 0…64") }
        var shape = [Int](repeating: 0, count: Int(i.nd)), strides = shape
        for d in 0..<Int(i.nd) { shape[d] = i.shape![d] }
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard n >= 0, !overflow else { throw ABIError.shape("array '\(name)' of shape \(Tensor.describe(shape: shape)) has too many elements") }
            count = product
        }
        if let s = i.strides {
            for d in 0..<Int(i.nd) { strides[d] = s[d] }
        } else if i.nd > 0 {
            strides[Int(i.nd) - 1] = dtype.size
            for d in stride(from: Int(i.nd) - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * max(shape[d + 1], 1) }
        }
        guard i.flags & 0x100 != 0 || count == 0 else { throw ABIError.argument("array '\(name)' is not aligned to its elements") }
        self.init(data: i.data, dtype: dtype, shape: shape, strides: strides, count: count)
    }

    var rank: Int { shape.count }
    var shapeDescription: String { Tensor.describe(shape: shape) }

    /// The lowest and highest byte addresses (exclusive) it touches, for overlap checks.
    var byteRange: Range<Int> {
        guard count > 0, let data else { return 0..<0 }
        var low = Int(bitPattern: data), high = low
        for (n, s) in zip(shape, strides) where n > 1 { if s < 0 { low += (n - 1) * s } else { high += (n - 1) * s } }
        return low..<(high + dtype.size)
    }

    /// Whether two elements share memory (a zero stride over a dimension longer than one).
    var hasRepeatedElements: Bool { count > 1 && zip(shape, strides).contains { $0 > 1 && $1 == 0 } }
}

extension DType {
    /// The type of an `sk_dtype` code.
    init?(abi code: Int32) {
        switch code {
        case 0: self = .float16
        case 1: self = .float32
        case 2: self = .float64
        case 3: self = .int32
        case 4: self = .int64
        case 5: self = .bool
        default: return nil
        }
    }

    /// The `sk_dtype` code.
    var abiCode: Int32 {
        switch self {
        case .float16: 0
        case .float32: 1
        case .float64: 2
        case .int32: 3
        case .int64: 4
        case .bool: 5
        }
    }
}
