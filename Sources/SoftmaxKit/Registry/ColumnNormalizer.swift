/// A normalizer that also runs along a non-last axis where the rows lie, without moving that
/// axis last: on a C-ordered `[outer, count, inner]` block (`AxisBlock`), the rows `inner`
/// elements apart. `MethodRegistry.call`, the C library and the Python package all take this
/// path for such an axis whenever `runsAlongColumns` holds and no mask is given, so a result
/// depends on the values, the shape and the axis — never on the strides it came in, nor on
/// which of those entry points computed it.
public protocol ColumnNormalizer: Normalizer {
    /// Whether this configuration runs along columns (false: the caller moves the axis last).
    var runsAlongColumns: Bool { get }
    /// `y` from `x` along the middle axis of `block`; `x` and `y` are the same memory or apart.
    func normalizeColumns(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, block: AxisBlock, threads: Int?) throws
    func normalizeColumns(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, block: AxisBlock, threads: Int?) throws
}

/// A C-ordered tensor seen along one axis: `outer` blocks of `count` rows' elements, consecutive
/// elements of one row `inner` apart.
public struct AxisBlock: Sendable, Equatable {
    /// The product of the axes before the row axis.
    public let outer: Int
    /// The row axis's length: elements per row.
    public let count: Int
    /// The product of the axes after it: the distance between a row's consecutive elements.
    public let inner: Int

    /// The block of `outer × count × inner` elements.
    public init(outer: Int, count: Int, inner: Int) {
        (self.outer, self.count, self.inner) = (outer, count, inner)
    }

    /// `shape` along `axis` (a valid, non-negative axis).
    public init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        count = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    /// Whether the rows are contiguous (`inner` is 1: the axis is the last one that is not of
    /// length one): the row kernels run them as they lie, and the column path is not taken.
    public var isRows: Bool { inner == 1 }
}

extension Normalizer {
    /// This normalizer as a column normalizer for `block`, or nil where it moves the axis last:
    /// it is not one, its configuration does not run along columns, a mask is given, or the
    /// rows are contiguous anyway. The single rule every entry point follows.
    public func columns(for block: AxisBlock, masked: Bool) -> (any ColumnNormalizer)? {
        guard !masked, !block.isRows, let c = self as? any ColumnNormalizer, c.runsAlongColumns else { return nil }
        return c
    }
}
