import CSoftmaxKit
import SoftmaxKit

/// The call the Python package makes most, without allocating: NumPy arrays `x` and `out` of one
/// float type and shape, both C-contiguous, aligned and in native byte order, rows along the last
/// axis, `out` writeable and either `x` itself or apart from it. Anything else takes the general
/// path (`StridedTensor`, `AxisRows`), which checks and reports every argument.
enum ContiguousRows {
    private static let cContiguous: Int32 = 0x1, aligned: Int32 = 0x100, native: Int32 = 0x200, writeable: Int32 = 0x400

    /// Computes and returns true when the call is that case; returns false (having done nothing) otherwise.
    static func softmax(_ x: sk_array_interface, _ out: sk_array_interface, axis: Int64, log: Bool, options: SoftmaxOptions) throws -> Bool {
        let readable = cContiguous | aligned | native
        guard x.two == 2, out.two == 2, x.nd >= 1, x.nd == out.nd, axis == -1 || axis == Int64(x.nd) - 1,
            UInt8(bitPattern: x.typekind) == UInt8(ascii: "f"), x.typekind == out.typekind, x.itemsize == out.itemsize,
            x.itemsize == 4 || x.itemsize == 8, x.flags & readable == readable,
            out.flags & (readable | writeable) == readable | writeable,
            let xShape = x.shape, let outShape = out.shape, let xData = x.data, let outData = out.data
        else { return false }
        let nd = Int(x.nd)
        var rows = 1
        for d in 0..<nd {
            guard xShape[d] == outShape[d] else { return false }
            if d < nd - 1 {
                let (product, overflow) = rows.multipliedReportingOverflow(by: xShape[d])
                guard !overflow else { return false }
                rows = product
            }
        }
        let cols = xShape[nd - 1]
        let (count, overflow) = rows.multipliedReportingOverflow(by: cols)
        guard !overflow, count > 0 else { return false }
        let bytes = count * Int(x.itemsize)
        let (xs, ys) = (Int(bitPattern: xData), Int(bitPattern: outData))
        guard xs == ys || xs + bytes <= ys || ys + bytes <= xs else { return false }
        if x.itemsize == 4 {
            try run(Float.self, xData, outData, rows: rows, cols: cols, log: log, options: options)
        } else {
            try run(Double.self, xData, outData, rows: rows, cols: cols, log: log, options: options)
        }
        return true
    }

    private static func run<T: KernelScalar>(
        _: T.Type, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer, rows: Int, cols: Int, log: Bool, options: SoftmaxOptions
    ) throws {
        let xb = RowBatch(base: UnsafePointer(x.assumingMemoryBound(to: T.self)), rows: rows, cols: cols)
        let yb = MutableRowBatch(base: y.assumingMemoryBound(to: T.self), rows: rows, cols: cols)
        if log { try ExactSoftmax.logSoftmax(xb, into: yb, options: options) } else { try ExactSoftmax.softmax(xb, into: yb, options: options) }
    }
}
