import SoftmaxKit

/// Any registered attention method as an `AttentionEngine`: each call becomes a registry call on
/// `[B, H, N, ·]` tensors, with the method's parameters resolved once when the engine is made.
/// Engines that need random projections (`W [r, D]`: Performer, linear attention with features,
/// Scatterbrain) get orthogonal random features drawn from `features` and `seed` (`OrthogonalFeatures`),
/// the same for every call, so the engine is deterministic.
struct RegisteredAttentionEngine: AttentionEngine {
    let id: String
    let method: MethodDescriptor
    let parameters: [String: ParameterValue]
    let randomFeatures: RandomFeatures?

    /// How many random features, and the seed they are drawn from.
    struct RandomFeatures: Sendable {
        var features: Int
        var seed: UInt64
    }

    init(method: MethodDescriptor, parameters: [String: ParameterValue], randomFeatures: RandomFeatures?) throws {
        let required = Set(method.inputs.filter { !$0.isOptional }.map(\.name))
        guard required.isSubset(of: ["Q", "K", "V", "W"]) else {
            throw AttentionError.needsInputs(engine: method.id, inputs: required.subtracting(["Q", "K", "V", "W"]).sorted())
        }
        _ = try method.resolve(parameters)
        self.id = method.id
        self.method = method
        self.parameters = parameters
        self.randomFeatures = required.contains("W") ? (randomFeatures ?? RandomFeatures(features: 64, seed: 0)) : nil
    }

    func attend(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, shape: AttentionShape,
        into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try check(q: q, k: k, v: v, shape: shape, out: out)
        let (b, h, hkv) = (shape.batch, shape.heads, shape.kvHeads)
        var inputs = [
            "Q": Tensor(shape: [b, h, shape.queries, shape.headDim], Array(q)),
            "V": Tensor(shape: [b, hkv, shape.keys, shape.valueDim], Array(v)),
        ]
        // Engines without a K input (SOFT: K = Q) attend with the queries as keys.
        if method.inputs.contains(where: { $0.name == "K" }) {
            inputs["K"] = Tensor(shape: [b, hkv, shape.keys, shape.headDim], Array(k))
        }
        if let r = randomFeatures {
            let w = OrthogonalFeatures.draw(features: r.features, dim: shape.headDim, seed: r.seed)
            inputs["W"] = Tensor(shape: [r.features, shape.headDim], w.map { Float($0) })
        }
        let result = try MethodRegistry.complete.call(id, inputs: inputs, parameters: parameters, precision: .float32)
        guard case let .float32(values)? = result["out"]?.storage, values.count == out.count else {
            throw AttentionError.badShape("\(id) gave no float32 'out' of shape [\(b), \(h), \(shape.queries), \(shape.valueDim)]")
        }
        _ = out.update(fromContentsOf: values)
    }
}
