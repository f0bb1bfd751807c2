/// Moving one axis to the end and back: how a method that reduces over the last axis (the row)
/// runs along any axis. The copy is one read and one write of the tensor; rows along the last
/// axis are never copied.
extension Tensor {
    /// An axis given as NumPy takes it (negative counts from the end), as an index `0..<rank`.
    /// A scalar accepts 0 and −1 (its one element is a row of one).
    public static func resolveAxis(_ axis: Int, rank: Int, tensor: String, shape: [Int]) throws -> Int {
        let r = max(rank, 1)
        guard axis >= -r && axis < r else {
            throw TensorError.badAxis(tensor: tensor, shape: describe(shape: shape), axis: axis, rank: rank)
        }
        return axis < 0 ? axis + r : axis
    }

    /// The same elements with `axis` moved last (NumPy's `moveaxis(x, axis, -1)`), in C order.
    public func movingAxisLast(_ axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < max(rank, 1), "Tensor: axis \(axis) out of range for rank \(rank)")
        guard axis < rank - 1 else { return self }
        var newShape = shape
        newShape.append(newShape.remove(at: axis))
        return Tensor(shape: newShape, storage: storage.permuted(AxisMove(shape: shape, axis: axis), toLast: true))
    }

    /// The inverse of `movingAxisLast`: the last axis moved back to position `axis`.
    public func movingLastAxis(to axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < max(rank, 1), "Tensor: axis \(axis) out of range for rank \(rank)")
        guard axis < rank - 1 else { return self }
        var newShape = shape
        newShape.insert(newShape.removeLast(), at: axis)
        return Tensor(shape: newShape, storage: storage.permuted(AxisMove(shape: newShape, axis: axis), toLast: false))
    }
}

/// A tensor seen as `outer × n × inner` around one axis of length `n`.
struct AxisMove {
    let outer: Int
    let n: Int
    let inner: Int

    init(shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        n = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    /// `[outer][n][inner]` → `[outer][inner][n]` when `toLast`, else the reverse.
    func apply<E>(_ a: [E], toLast: Bool) -> [E] {
        guard !a.isEmpty else { return a }
        return [E](unsafeUninitializedCapacity: a.count) { out, count in
            a.withUnsafeBufferPointer { src in
                let (n, inner) = (self.n, self.inner)
                for o in 0..<outer {
                    let block = o * n * inner
                    for k in 0..<n {
                        for i in 0..<inner {
                            let axisMajor = block + k * inner + i
                            let axisMinor = block + i * n + k
                            if toLast {
                                (out.baseAddress! + axisMinor).initialize(to: src[axisMajor])
                            } else {
                                (out.baseAddress! + axisMajor).initialize(to: src[axisMinor])
                            }
                        }
                    }
                }
            }
            count = a.count
        }
    }
}

extension Tensor.Storage {
    fileprivate func permuted(_ move: AxisMove, toLast: Bool) -> Tensor.Storage {
        switch self {
        case let .float16(a): .float16(move.apply(a, toLast: toLast))
        case let .float32(a): .float32(move.apply(a, toLast: toLast))
        case let .float64(a): .float64(move.apply(a, toLast: toLast))
        case let .int32(a): .int32(move.apply(a, toLast: toLast))
        case let .int64(a): .int64(move.apply(a, toLast: toLast))
        case let .bool(a): .bool(move.apply(a, toLast: toLast))
        }
    }
}
