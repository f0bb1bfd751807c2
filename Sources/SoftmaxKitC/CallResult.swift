import Foundation
import SoftmaxKit

/// The outputs of one `sk_call`, owned by the caller until `sk_result_free`: each output's name and
/// shape are kept as C memory so the pointers `sk_result_output` hands out stay valid.
final class CallResult {
    struct Output {
        let name: UnsafeMutablePointer<CChar>
        let shape: UnsafeMutablePointer<Int64>
        let tensor: Tensor
    }

    let outputs: [Output]

    /// The outputs in the order the method declares them.
    init(_ tensors: [String: Tensor], order: [String]) {
        let names = order.filter { tensors[$0] != nil } + tensors.keys.filter { !order.contains($0) }.sorted()
        outputs = names.map { name in
            let t = tensors[name]!
            let shape = UnsafeMutablePointer<Int64>.allocate(capacity: max(t.rank, 1))
            for (i, n) in t.shape.enumerated() { shape[i] = Int64(n) }
            return Output(name: strdup(name)!, shape: shape, tensor: t)
        }
    }

    deinit {
        for o in outputs {
            free(o.name)
            o.shape.deallocate()
        }
    }

    func output(named name: String) throws -> Tensor {
        guard let o = outputs.first(where: { String(cString: $0.name) == name }) else {
            let known = outputs.map { String(cString: $0.name) }.joined(separator: ", ")
            throw ABIError.argument("the result has no output '\(name)'; its outputs are \(known)")
        }
        return o.tensor
    }
}

extension StridedTensor {
    /// Writes `t` (of this shape) into these elements: the same dtype, or any float dtype for a float tensor.
    func store(_ t: Tensor, name: String) throws {
        guard shape == t.shape else {
            throw ABIError.shape("out has shape \(shapeDescription); output '\(name)' has shape \(t.shapeDescription)")
        }
        guard !hasRepeatedElements else { throw ABIError.argument("out has a zero stride: its elements overlap") }
        let rows = AxisRows(appendingUnitAxis, axis: rank)
        switch (t.storage, dtype) {
        case let (.float64(v), .float64), let (.float64(v), .float32), let (.float64(v), .float16): rows.scatter(v)
        case let (.float32(v), .float64), let (.float32(v), .float32), let (.float32(v), .float16): rows.scatter(v)
        case let (.float16(v), .float16), let (.float16(v), .float32), let (.float16(v), .float64): rows.scatter(v.map(Float.init))
        case let (.int32(v), .int32): rows.store(v)
        case let (.int64(v), .int64): rows.store(v)
        case let (.bool(v), .bool): rows.store(v.map { UInt8($0 ? 1 : 0) })
        default:
            throw ABIError.dtype("out is \(dtype.rawValue) but output '\(name)' is \(t.dtype.rawValue)")
        }
    }
}

extension AxisRows {
    /// Writes `values` (one per element, C order) as they are.
    func store<E>(_ values: [E]) {
        guard !values.isEmpty, let base = tensor.data else { return }
        for (r, offset) in rowOffsets().enumerated() {
            for k in 0..<cols { (base + offset + k * axisStride).storeBytes(of: values[r * cols + k], as: E.self) }
        }
    }
}

extension StridedTensor {
    /// A C-ordered copy as a `Tensor` of the same dtype (the registry's generic calls take owned tensors).
    func tensor() throws -> Tensor {
        _ = try MemoryBudget.require([(factors: [count], elementBytes: dtype.size)], for: "a copy of an input")
        let rows = AxisRows(appendingUnitAxis, axis: rank)
        let storage: Tensor.Storage =
            switch dtype {
            case .float16: .float16(rows.loaded(Float16.self))
            case .float32: .float32(rows.loaded(Float.self))
            case .float64: .float64(rows.loaded(Double.self))
            case .int32: .int32(rows.loaded(Int32.self))
            case .int64: .int64(rows.loaded(Int64.self))
            case .bool: .bool(rows.loaded(UInt8.self).map { $0 != 0 })
            }
        return Tensor(shape: shape, storage: storage)
    }
}

extension AxisRows {
    /// Every element as it is, in C order.
    func loaded<E>(_: E.Type) -> [E] {
        guard rows * cols > 0, let base = tensor.data else { return [] }
        var out: [E] = []
        out.reserveCapacity(rows * cols)
        for offset in rowOffsets() {
            for k in 0..<cols { out.append(base.load(fromByteOffset: offset + k * axisStride, as: E.self)) }
        }
        return out
    }
}
