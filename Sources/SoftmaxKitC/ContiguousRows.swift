import CSoftmaxKit
import SoftmaxKit

/// The call the Python package makes most, without allocating: NumPy arrays `x` and `out` of one
/// float type and shape, both C-contiguous, aligned and in native byte order, `out` writeable and
/// either `x` itself or apart from it; rows along the last axis (the row kernels), or along another
/// axis whose inner part holds at least one vector (`ColumnSoftmax`, no gathering copy). Anything
/// else takes the general path (`StridedTensor`, `AxisRows`), which checks and reports every argument.
enum ContiguousRows {
    private static let cContiguous: Int32 = 0x1, aligned: Int32 = 0x100, native: Int32 = 0x200, writeable: Int32 = 0x400

    /// Computes and returns true when the call is that case; returns false (having done nothing) otherwise.
    static func softmax(_ x: sk_array_interface, _ out: sk_array_interface, axis: Int64, log: Bool, options: SoftmaxOptions) throws -> Bool {
        let readable = cContiguous | aligned | native
        guard x.two == 2, out.two == 2, x.nd >= 1, x.nd == out.nd, (-Int64(x.nd)..<Int64(x.nd)).contains(axis),
            UInt8(bitPattern: x.typekind) == UInt8(ascii: "f"), x.typekind == out.typekind, x.itemsize == out.itemsize,
            x.itemsize == 4 || x.itemsize == 8, x.flags & readable == readable,
            out.flags & (readable | writeable) == readable | writeable,
            let xShape = x.shape, let outShape = out.shape, let xData = x.data, let outData = out.data
        else { return false }
        let nd = Int(x.nd), along = Int(axis < 0 ? axis + Int64(x.nd) : axis)
        // [outer, cols, inner]: the axis, and the elements before and after it.
        var (outer, inner) = (1, 1)
        for d in 0..<nd {
            guard xShape[d] == outShape[d] else { return false }
            if d == along { continue }
            let (product, overflow) = (d < along ? outer : inner).multipliedReportingOverflow(by: xShape[d])
            guard !overflow else { return false }
            if d < along { outer = product } else { inner = product }
        }
        let cols = xShape[along]
        let (rows, overflowRows) = outer.multipliedReportingOverflow(by: inner)
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflowRows, !overflow, count > 0 else { return false }
        let bytes = count * Int(x.itemsize)
        let (xs, ys) = (Int(bitPattern: xData), Int(bitPattern: outData))
        guard xs == ys || xs + bytes <= ys || ys + bytes <= xs else { return false }
        if inner > 1 {
            // Along another axis: the column kernel, when the inner part holds at least one vector.
            let width = x.itemsize == 4 ? Float.Vector.scalarCount : Double.Vector.scalarCount
            guard inner >= width else { return false }
            if x.itemsize == 4 {
                try columns(Float.self, xData, outData, outer: outer, cols: cols, inner: inner, log: log, options: options)
            } else {
                try columns(Double.self, xData, outData, outer: outer, cols: cols, inner: inner, log: log, options: options)
            }
            return true
        }
        if x.itemsize == 4 {
            try run(Float.self, xData, outData, rows: rows, cols: cols, log: log, options: options)
        } else {
            try run(Double.self, xData, outData, rows: rows, cols: cols, log: log, options: options)
        }
        return true
    }

    private static func columns<T: KernelScalar>(
        _: T.Type, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer, outer: Int, cols: Int, inner: Int, log: Bool,
        options: SoftmaxOptions
    ) throws {
        try ColumnSoftmax.run(
            UnsafePointer(x.assumingMemoryBound(to: T.self)), into: y.assumingMemoryBound(to: T.self), outer: outer, count: cols, inner: inner,
            log: log, options: options)
    }

    private static func run<T: KernelScalar>(
        _: T.Type, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer, rows: Int, cols: Int, log: Bool, options: SoftmaxOptions
    ) throws {
        let xb = RowBatch(base: UnsafePointer(x.assumingMemoryBound(to: T.self)), rows: rows, cols: cols)
        let yb = MutableRowBatch(base: y.assumingMemoryBound(to: T.self), rows: rows, cols: cols)
        if log { try ExactSoftmax.logSoftmax(xb, into: yb, options: options) } else { try ExactSoftmax.softmax(xb, into: yb, options: options) }
    }
}
