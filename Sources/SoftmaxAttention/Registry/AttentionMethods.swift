import SoftmaxKit

/// Registry entries for the attention engines, and the registry that holds them with the core
/// methods.
extension MethodRegistry {
    /// Every method: the core registry (`standard`) and the attention engines. The engines written
    /// for one head also take batched 4-d inputs (`PerHeadMethod`).
    public static let complete = MethodRegistry(
        standard.methods + AttentionMethods.all
            + (AttentionReplacementMethods.all + RandomFeatureMethods.all + LandmarkMethods.all).map { m in
                m.role == .attention ? m.with(implementation: PerHeadMethod(inner: m.implementation)) : m
            })
}

enum AttentionMethods {
    static let dao =
        "T. Dao, D. Y. Fu, S. Ermon, A. Rudra, C. Ré, FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness, NeurIPS 2022 (arXiv 2205.14135)"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "attention", role: .attention,
            summary:
                "exact attention softmax(scale·QKᵀ + bias)·V: tiled flash-style in float32 (O(N·D) memory), naive in float64; any normalizer in place of softmax",
            parameters: ExactAttentionParameters.specs,
            inputs: [
                TensorSpec("Q", "[Nq, D] or [B, H, Nq, D]"), TensorSpec("K", "[Nk, D] or [B, Hkv, Nk, D]"),
                TensorSpec("V", "[Nk, Dv] or [B, Hkv, Nk, Dv]"),
                TensorSpec("mask", .boolean, "keep-mask broadcastable to [B, H, Nq, Nk]", optional: true),
                TensorSpec("bias", "additive bias broadcastable to [B, H, Nq, Nk]", optional: true),
            ],
            outputs: [TensorSpec("out", "[Nq, Dv] or [B, H, Nq, Dv]"), TensorSpec("lse", "logsumexp of each query's scores (softmax only)")],
            isExact: true, citation: dao, implementation: ExactAttentionMethod())
    ]
}

/// `attention` through the registry: shapes from the tensors, options from the parameters.
/// float32 runs the flash engine (or the normalized one, or naive on request); float64 the naive
/// reference.
struct ExactAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, qs) = try invocation.real("Q", as: T.self), (k, ks) = try invocation.real("K", as: T.self)
        let (v, vs) = try invocation.real("V", as: T.self)
        let shape = try attentionShape(q: qs, k: ks, v: vs)
        let p = ExactAttentionParameters(invocation.parameters)
        let options = p.options
        let normalizerId = p.normalizer
        let maskTensor = try invocation.booleans("mask")
        let biasTensor = try invocation.inputs["bias"].map { _ in try invocation.real("bias", as: T.self) }
        var out = [T](repeating: 0, count: shape.outputCount)
        var lse = [T](repeating: 0, count: shape.batch * shape.heads * shape.queries)
        let keep = maskTensor?.values ?? [], biasValues = biasTensor?.values ?? []
        try keep.withUnsafeBufferPointer { mb in
            try biasValues.withUnsafeBufferPointer { bb in
                let mask = try maskTensor.map { try AttentionMask(mb.baseAddress!, dims: $0.shape, for: shape) }
                let bias = try biasTensor.map { try ScoreBroadcast(bb.baseAddress!, dims: $0.shape, for: shape, name: "bias") }
                try out.withUnsafeMutableBufferPointer { ob in
                    try lse.withUnsafeMutableBufferPointer { lb in
                        let (o, l) = (ob.baseAddress!, lb.baseAddress!)
                        try q.withUnsafeBufferPointer { qb in
                            try k.withUnsafeBufferPointer { kb in
                                try v.withUnsafeBufferPointer { vb in
                                    let (qp, kp, vp) = (qb.baseAddress!, kb.baseAddress!, vb.baseAddress!)
                                    if let qf = qp as? UnsafePointer<Float>, let kf = kp as? UnsafePointer<Float>, let vf = vp as? UnsafePointer<Float>,
                                        let of = o as? UnsafeMutablePointer<Float>, let lf = l as? UnsafeMutablePointer<Float>,
                                        normalizerId != "softmax" || p.engine == .flash
                                    {
                                        let biasF = bias as? ScoreBroadcast<Float>
                                        if normalizerId != "softmax" {
                                            let normalizer = try attentionNormalizer(normalizerId, method: invocation.method)
                                            try NormalizedAttention.run(
                                                q: qf, k: kf, v: vf, shape: shape, mask: mask, bias: biasF,
                                                options: options, normalizer: normalizer, output: of)
                                            for i in 0..<(shape.batch * shape.heads * shape.queries) { lf[i] = .nan }
                                        } else {
                                            try FlashAttention.run(
                                                q: qf, k: kf, v: vf, shape: shape, mask: mask, bias: biasF,
                                                options: options, output: of, logSumExp: lf)
                                        }
                                    } else {
                                        guard normalizerId == "softmax" else {
                                            throw RegistryError.invalidParameter(
                                                method: invocation.method, name: "normalizer", value: normalizerId,
                                                reason: "normalized attention runs in float32 only")
                                        }
                                        try NaiveAttention.run(
                                            q: qp, k: kp, v: vp, shape: shape, mask: mask, bias: bias, options: options,
                                            output: o, logSumExp: l)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let four = qs.count == 4
        return [
            "out": .of(out, shape: four ? [shape.batch, shape.heads, shape.queries, shape.valueDim] : [shape.queries, shape.valueDim]),
            "lse": .of(lse, shape: four ? [shape.batch, shape.heads, shape.queries] : [shape.queries]),
        ]
    }
}

/// The registered normalizer `id` (defaults), for attention.
func attentionNormalizer(_ id: String, method: String) throws -> any Normalizer {
    let m = try MethodRegistry.complete.method(id)
    guard let make = m.normalizer else {
        throw RegistryError.invalidParameter(method: method, name: "normalizer", value: id, reason: "'\(id)' is not a normalizer")
    }
    return try make(m.resolve([:]))
}

/// The attention shape of Q, K and V given as 2-d `[N, D]` (one head) or 4-d `[B, H, N, D]`.
func attentionShape(q: [Int], k: [Int], v: [Int]) throws -> AttentionShape {
    guard q.count == k.count, k.count == v.count, q.count == 2 || q.count == 4 else {
        throw TensorError.badRank(
            tensor: "Q", shape: Tensor.describe(shape: q),
            expected: "Q, K and V all 2-d [N, D] or all 4-d [B, H, N, D] (K, V: \(Tensor.describe(shape: k)), \(Tensor.describe(shape: v)))")
    }
    let q4 = q.count == 2 ? [1, 1] + q : q, k4 = k.count == 2 ? [1, 1] + k : k, v4 = v.count == 2 ? [1, 1] + v : v
    guard k4[0] == q4[0], v4[0] == q4[0] else {
        throw TensorError.shapeMismatch(tensor: "K", shape: Tensor.describe(shape: k), expected: "batch \(q4[0]) as Q")
    }
    guard k4[3] == q4[3] else { throw TensorError.shapeMismatch(tensor: "K", shape: Tensor.describe(shape: k), expected: "head dim \(q4[3]) as Q") }
    guard v4[1] == k4[1], v4[2] == k4[2] else {
        throw TensorError.shapeMismatch(tensor: "V", shape: Tensor.describe(shape: v), expected: "heads and keys as K \(Tensor.describe(shape: k))")
    }
    let shape = AttentionShape(batch: q4[0], heads: q4[1], kvHeads: k4[1], queries: q4[2], keys: k4[2], headDim: q4[3], valueDim: v4[3])
    try shape.validate()
    return shape
}
