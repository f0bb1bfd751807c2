/// `array` as `[U]` when its element type is `U` (no copy), else nil.
///
/// Generic code cannot rely on `array as? [U]` for this: when `T` is only known at run time the
/// cast checks and copies every element (measured: most of the time of a 2048 × 2048 attention
/// call went into casting its weights).
@inlinable
public func sameTypeArray<T, U>(_ array: [T], as: U.Type) -> [U]? {
    T.self == U.self ? unsafeBitCast(array, to: [U].self) : nil
}
