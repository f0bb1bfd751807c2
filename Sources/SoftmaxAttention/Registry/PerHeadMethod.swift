import SoftmaxKit

/// Gives an engine written for one head (`Q [Nq, D]`, `K [Nk, D]`, `V [Nk, Dv]`) the batched
/// interface `Q [B, H, Nq, D]`, `K`/`V [B, Hkv, Nk, ·]` (Hkv dividing H: grouped-query heads):
/// each (b, h) is run on its slices — query head h reads key/value head h/(H/Hkv); other 4-d
/// inputs (masks, supports) are sliced at [b, h] (or [b, 0] when their head axis is 1); inputs of
/// another rank (projections W, landmarks L, per-row temperatures) are passed to every head; the
/// outputs are stacked back to `[B, H, …]`. 2-d calls go straight through.
struct PerHeadMethod: MethodImplementation {
    let inner: any MethodImplementation

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        guard let q = invocation.inputs["Q"], q.rank == 4 else { return try inner.run(invocation, as: T.self) }
        let (batch, heads) = (q.shape[0], q.shape[1])
        var kvHeads = heads
        for name in ["K", "V"] {
            guard let t = invocation.inputs[name] else { continue }
            guard t.rank == 4, t.shape[0] == batch, t.shape[1] >= 1, heads % t.shape[1] == 0 else {
                throw TensorError.shapeMismatch(
                    tensor: name, shape: t.shapeDescription,
                    expected: "4-d [\(batch), Hkv, N, ·] with Hkv dividing \(heads), like Q \(q.shapeDescription)")
            }
            kvHeads = t.shape[1]
        }
        var stacked: [String: [Tensor]] = [:]
        for b in 0..<batch {
            for h in 0..<heads {
                var inputs: [String: Tensor] = [:]
                for (name, t) in invocation.inputs {
                    if t.rank == 4 {
                        let head = name == "K" || name == "V" ? h / (heads / kvHeads) : (t.shape[1] == 1 ? 0 : h)
                        guard t.shape[0] == batch || t.shape[0] == 1, head < t.shape[1] else {
                            throw TensorError.shapeMismatch(tensor: name, shape: t.shapeDescription, expected: "[\(batch) or 1, \(heads) or 1, ·, ·]")
                        }
                        inputs[name] = t.slice(t.shape[0] == 1 ? 0 : b, head)
                    } else {
                        inputs[name] = t
                    }
                }
                for (name, out) in try inner.run(invocation.with(inputs: inputs), as: T.self) { stacked[name, default: []].append(out) }
            }
        }
        return try stacked.mapValues { try Tensor.stack($0, leading: [batch, heads]) }
    }
}

extension Tensor {
    /// The 2-d block `[i, j, :, :]` of a 4-d tensor.
    func slice(_ i: Int, _ j: Int) -> Tensor {
        let block = shape[2] * shape[3], start = (i * shape[1] + j) * block
        let range = start..<(start + block), s = [shape[2], shape[3]]
        switch storage {
        case let .float16(a): return Tensor(shape: s, storage: .float16(Array(a[range])))
        case let .float32(a): return Tensor(shape: s, storage: .float32(Array(a[range])))
        case let .float64(a): return Tensor(shape: s, storage: .float64(Array(a[range])))
        case let .int32(a): return Tensor(shape: s, storage: .int32(Array(a[range])))
        case let .int64(a): return Tensor(shape: s, storage: .int64(Array(a[range])))
        case let .bool(a): return Tensor(shape: s, storage: .bool(Array(a[range])))
        }
    }

    /// Same-shaped, same-type tensors stacked under new leading dimensions.
    static func stack(_ parts: [Tensor], leading: [Int]) throws -> Tensor {
        guard let first = parts.first, parts.allSatisfy({ $0.shape == first.shape && $0.dtype == first.dtype }) else {
            throw TensorError.shapeMismatch(tensor: "output", shape: "per-head outputs of different shapes", expected: "one shape per head")
        }
        let shape = leading + first.shape
        func gather<E>(_ values: (Tensor) -> [E]?) -> [E] { parts.flatMap { values($0) ?? [] } }
        switch first.storage {
        case .float16:
            return Tensor(
                shape: shape,
                storage: .float16(
                    gather {
                        if case let .float16(a) = $0.storage { return a }; return nil
                    }))
        case .float32:
            return Tensor(
                shape: shape,
                storage: .float32(
                    gather {
                        if case let .float32(a) = $0.storage { return a }; return nil
                    }))
        case .float64:
            return Tensor(
                shape: shape,
                storage: .float64(
                    gather {
                        if case let .float64(a) = $0.storage { return a }; return nil
                    }))
        case .int32:
            return Tensor(
                shape: shape,
                storage: .int32(
                    gather {
                        if case let .int32(a) = $0.storage { return a }; return nil
                    }))
        case .int64:
            return Tensor(
                shape: shape,
                storage: .int64(
                    gather {
                        if case let .int64(a) = $0.storage { return a }; return nil
                    }))
        case .bool:
            return Tensor(
                shape: shape,
                storage: .bool(
                    gather {
                        if case let .bool(a) = $0.storage { return a }; return nil
                    }))
        }
    }
}
