import SoftmaxKit

/// A strided tensor read as rows along one axis: every other axis counts rows, in C order. When
/// the rows sit at one stride from each other with contiguous elements (any C-ordered array along
/// its last axis, a Fortran-ordered one along its first, a slice of either), the kernels read and
/// write them in place; otherwise they are gathered into a contiguous copy and scattered back.
struct AxisRows {
    let tensor: StridedTensor
    let axis: Int
    /// Elements per row (the axis's length; 1 for a scalar).
    let cols: Int
    /// The number of rows (the product of the other dimensions).
    let rows: Int
    /// The other dimensions and their byte strides, outermost first.
    let outerShape: [Int]
    let outerStrides: [Int]
    /// Byte stride along the axis.
    let axisStride: Int

    init(_ t: StridedTensor, axis: Int) {
        tensor = t
        self.axis = axis
        if t.rank == 0 {
            (cols, rows, outerShape, outerStrides, axisStride) = (1, 1, [], [], t.dtype.size)
            return
        }
        cols = t.shape[axis]
        var shape = t.shape, strides = t.strides
        axisStride = strides.remove(at: axis)
        shape.remove(at: axis)
        (outerShape, outerStrides) = (shape, strides)
        rows = shape.reduce(1, *)
    }

    /// The rows' stride in elements when they can be used in place: contiguous elements along the
    /// axis, one positive stride between consecutive rows (at least a row apart, so rows do not
    /// overlap). Nil otherwise.
    var inPlaceRowStride: Int? {
        let size = tensor.dtype.size
        guard cols <= 1 || axisStride == size else { return nil }
        let kept = zip(outerShape, outerStrides).filter { $0.0 != 1 }
        guard let last = kept.last else { return max(cols, 1) }  // at most one row
        for i in 0..<(kept.count - 1) where kept[i].1 != kept[i + 1].1 * kept[i + 1].0 { return nil }
        let stride = last.1 / size
        return stride >= max(cols, 1) ? stride : nil
    }

    /// The byte offset of every row's first element, in C order over the other dimensions.
    func rowOffsets() -> [Int] {
        var offsets = [Int](repeating: 0, count: rows)
        guard rows > 0 else { return offsets }
        var index = [Int](repeating: 0, count: outerShape.count)
        var offset = 0
        for r in 0..<rows {
            offsets[r] = offset
            var d = outerShape.count - 1
            while d >= 0 {
                index[d] += 1
                offset += outerStrides[d]
                if index[d] < outerShape[d] { break }
                offset -= outerStrides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }

    /// The rows as a contiguous `rows × cols` array of `T` (float elements converted exactly or
    /// rounded to nearest, as NumPy's `astype`).
    func gathered<T: KernelScalar>(as: T.Type) throws -> [T] {
        let total = rows * cols
        _ = try MemoryBudget.require([(factors: [rows, cols], elementBytes: MemoryLayout<T>.size)], for: "a contiguous copy of the rows")
        guard total > 0, let base = tensor.data else { return [] }
        let offsets = rowOffsets()
        let (cols, step) = (self.cols, axisStride)
        return [T](unsafeUninitializedCapacity: total) { out, initialized in
            func copy<S>(_: S.Type, _ convert: (S) -> T) {
                for (r, offset) in offsets.enumerated() {
                    let row = base + offset
                    for k in 0..<cols { (out.baseAddress! + r * cols + k).initialize(to: convert(row.load(fromByteOffset: k * step, as: S.self))) }
                }
            }
            switch tensor.dtype {
            case .float16: copy(Float16.self) { T(Float($0)) }
            case .float32: copy(Float.self) { T($0) }
            case .float64: copy(Double.self) { T($0) }
            case .int32: copy(Int32.self) { T($0) }
            case .int64: copy(Int64.self) { T($0) }
            case .bool: copy(UInt8.self) { $0 != 0 ? 1 : 0 }
            }
            initialized = total
        }
    }

    /// The rows as a contiguous `rows × cols` array of booleans (a keep-mask; any non-zero byte is true).
    func gatheredBooleans() throws -> [Bool] {
        _ = try MemoryBudget.require([(factors: [rows, cols], elementBytes: 1)], for: "a contiguous copy of the mask")
        guard rows * cols > 0, let base = tensor.data else { return [] }
        var out = [Bool](repeating: false, count: rows * cols)
        for (r, offset) in rowOffsets().enumerated() {
            for k in 0..<cols { out[r * cols + k] = base.load(fromByteOffset: offset + k * axisStride, as: UInt8.self) != 0 }
        }
        return out
    }

    /// Writes a contiguous `rows × cols` array of `T` into the tensor's rows, converting to its dtype.
    func scatter<T: KernelScalar>(_ values: [T]) {
        guard !values.isEmpty, let base = tensor.data else { return }
        let offsets = rowOffsets()
        let (cols, step) = (self.cols, axisStride)
        func copy<D>(_ convert: (T) -> D) {
            for (r, offset) in offsets.enumerated() {
                for k in 0..<cols { (base + offset + k * step).storeBytes(of: convert(values[r * cols + k]), as: D.self) }
            }
        }
        switch tensor.dtype {
        case .float16: copy { Float16(Float($0)) }
        case .float32: copy { Float($0) }
        default: copy { Double($0) }
        }
    }
}
