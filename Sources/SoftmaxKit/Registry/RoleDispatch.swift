/// Generic entry points to the role protocols, whose requirements are per concrete type (so each
/// conformance compiles its own specialized loops). The type test folds away after specialization.
extension Normalizer {
    /// `normalize` for either element type, dispatched to the Float or Double requirement.
    public func normalize<T: KernelScalar>(_ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>?, threads: Int?) throws {
        if T.self == Float.self {
            try normalize(
                unsafeBitCast(x, to: RowBatch<Float>.self), into: unsafeBitCast(y, to: MutableRowBatch<Float>.self),
                mask: mask, threads: threads)
        } else {
            try normalize(
                unsafeBitCast(x, to: RowBatch<Double>.self), into: unsafeBitCast(y, to: MutableRowBatch<Double>.self),
                mask: mask, threads: threads)
        }
    }
}

extension ColumnNormalizer {
    /// `normalizeColumns` for either element type, dispatched to the Float or Double requirement.
    public func normalizeColumns<T: KernelScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, block: AxisBlock, threads: Int?) throws {
        if T.self == Float.self {
            try normalizeColumns(
                UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self),
                block: block, threads: threads)
        } else {
            try normalizeColumns(
                UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), into: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self),
                block: block, threads: threads)
        }
    }
}

extension Activation {
    /// `activate` for either element type, dispatched to the Float or Double requirement.
    public func activate<T: KernelScalar>(_ x: RowBatch<T>, into y: MutableRowBatch<T>, threads: Int?) throws {
        if T.self == Float.self {
            try activate(unsafeBitCast(x, to: RowBatch<Float>.self), into: unsafeBitCast(y, to: MutableRowBatch<Float>.self), threads: threads)
        } else {
            try activate(unsafeBitCast(x, to: RowBatch<Double>.self), into: unsafeBitCast(y, to: MutableRowBatch<Double>.self), threads: threads)
        }
    }
}
