import CSoftmaxKit
import SoftmaxKit

/// The call the Python package makes most, without allocating: NumPy arrays `x` and `out` of one
/// float type and shape, both C-contiguous, aligned and in native byte order, `out` writeable and
/// either `x` itself or apart from it. Along the last axis (or one followed only by axes of
/// length one) the row kernels run the rows as they lie; along another axis, `ColumnSoftmax`
/// runs on the array as it lies — the same computations `MethodRegistry.call` makes, so the
/// same bits. Anything else takes the general path (`StridedTensor`, `apply`), which checks and
/// reports every argument.
enum ContiguousSoftmax {
    private static let cContiguous: Int32 = 0x1, aligned: Int32 = 0x100, native: Int32 = 0x200, writeable: Int32 = 0x400

    /// Computes and returns true when the call is that case; returns false (having done nothing) otherwise.
    static func softmax(_ x: sk_array_interface, _ out: sk_array_interface, axis: Int64, log: Bool, options: SoftmaxOptions) throws -> Bool {
        let readable = cContiguous | aligned | native
        let nd = Int(x.nd)
        guard x.two == 2, out.two == 2, nd >= 1, x.nd == out.nd, axis >= -Int64(nd), axis < Int64(nd),
            UInt8(bitPattern: x.typekind) == UInt8(ascii: "f"), x.typekind == out.typekind, x.itemsize == out.itemsize,
            x.itemsize == 4 || x.itemsize == 8, x.flags & readable == readable,
            out.flags & (readable | writeable) == readable | writeable,
            let xShape = x.shape, let outShape = out.shape, let xData = x.data, let outData = out.data
        else { return false }
        let a = axis < 0 ? Int(axis) + nd : Int(axis)
        var (outer, inner, count) = (1, 1, 1)
        for d in 0..<nd {
            guard xShape[d] == outShape[d], xShape[d] >= 0 else { return false }
            let (product, overflow) = count.multipliedReportingOverflow(by: xShape[d])
            guard !overflow else { return false }
            count = product
            if d < a { outer *= xShape[d] } else if d > a { inner *= xShape[d] }
        }
        guard count > 0 else { return false }
        let bytes = count * Int(x.itemsize)
        let (xs, ys) = (Int(bitPattern: xData), Int(bitPattern: outData))
        guard xs == ys || xs + bytes <= ys || ys + bytes <= xs else { return false }
        let block = AxisBlock(outer: outer, count: xShape[a], inner: inner)
        if x.itemsize == 4 {
            try run(Float.self, xData, outData, block, log: log, options: options)
        } else {
            try run(Double.self, xData, outData, block, log: log, options: options)
        }
        return true
    }

    private static func run<T: KernelScalar>(
        _: T.Type, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer, _ block: AxisBlock, log: Bool,
        options: SoftmaxOptions
    ) throws {
        let (xp, yp) = (UnsafePointer(x.assumingMemoryBound(to: T.self)), y.assumingMemoryBound(to: T.self))
        if !block.isRows {
            return try ColumnSoftmax.run(xp, into: yp, outer: block.outer, count: block.count, inner: block.inner, log: log, options: options)
        }
        let xb = RowBatch(base: xp, rows: block.outer, cols: block.count)
        let yb = MutableRowBatch(base: yp, rows: block.outer, cols: block.count)
        if log { try ExactSoftmax.logSoftmax(xb, into: yb, options: options) } else { try ExactSoftmax.softmax(xb, into: yb, options: options) }
    }
}
