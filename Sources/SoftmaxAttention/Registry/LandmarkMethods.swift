import SoftmaxKit

/// Registry entries for the landmark attentions (SOFT, Nyströmformer), SOFT's helpers, and
/// Edge-MoE's attention.
enum LandmarkMethods {
    static let lu =
        "J. Lu et al., SOFT: Softmax-free Transformer with Linear Complexity, NeurIPS 2021 (arXiv 2110.11945); Softmax-free Linear Transformers, IJCV 2024 (arXiv 2207.03341)"
    static let edgeMoE =
        "R. Sarkar, H. Liang, Z. Fan, Z. Wang, C. Hao, Edge-MoE: Memory-Efficient Multi-Task Vision Transformer Architecture with Task-level Sparsity via Mixture-of-Experts, ICCAD 2023 (arXiv 2305.18691)"
    static let xiong = "Y. Xiong et al., Nyströmformer: A Nyström-Based Algorithm for Approximating Self-Attention, AAAI 2021 (arXiv 2102.03902)"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "soft-landmarks-avgpool", role: .primitive, summary: "SOFT landmarks: means of Q·d^{−1/4} over consecutive blocks of ratio tokens",
            parameters: LandmarksParameters.specs,
            inputs: [TensorSpec("Q", "[n, d]")], outputs: [TensorSpec("L", "[⌈n/ratio⌉, d]")],
            isExact: true, citation: lu, implementation: LandmarksMethod()),
        MethodDescriptor(
            id: "soft-gaussian-kernel", role: .primitive, summary: "K_ij = exp(−½‖a_i − b_j‖²)",
            inputs: [TensorSpec("A", "[n, d]"), TensorSpec("B", "[m, d]")], outputs: [TensorSpec("K", "[n, m]")],
            isExact: true, citation: lu, implementation: GaussianKernelMethod()),
        MethodDescriptor(
            id: "newton-schulz-pinv", role: .primitive, summary: "pseudo-inverse by V ← 2V − V·P·V from SOFT's starting points",
            parameters: PseudoInverseParameters.specs, inputs: [TensorSpec("A", "square [m, m]")], outputs: [TensorSpec("V", "[m, m]")],
            isExact: false, citation: lu, implementation: PseudoInverseMethod()),
        MethodDescriptor(
            id: "soft-attention", role: .attention, summary: "SOFT: K1·A⁺·(K1ᵀV), Gaussian kernel to landmarks, Newton–Schulz A⁺ (normalize: D^{−½}A⁺D^{−½})",
            parameters: SoftAttentionParameters.specs,
            inputs: [TensorSpec("Q", "[n, d] (K = Q)"), TensorSpec("V", "[n, dv]"), TensorSpec("L", "landmarks [m, d], scaled space")],
            outputs: [TensorSpec("out", "[n, dv]")], isExact: false, citation: lu, implementation: SoftAttentionMethod()),
        MethodDescriptor(
            id: "nystrom-attention", role: .attention, summary: "Nyströmformer: softmax(QK̃ᵀ)·A⁺·softmax(Q̃Kᵀ)V with segment-mean landmarks",
            parameters: NystromParameters.specs,
            inputs: [TensorSpec("Q", "[n, d]"), TensorSpec("K", "[n, d]"), TensorSpec("V", "[n, dv]")],
            outputs: [TensorSpec("out", "[n, dv]")], isExact: false, citation: xiong, implementation: NystromMethod()),
        MethodDescriptor(
            id: "edge-moe-attention", role: .attention, summary: "Edge-MoE attention: single-pass running bias and sum, deferred normalisation",
            parameters: ScaledCausalParameters.specs,
            inputs: AttentionReplacementMethods.head, outputs: [TensorSpec("out", "[Nq, Dv]")],
            isExact: false, citation: edgeMoE, implementation: EdgeMoEAttentionMethod()),
    ]
}

/// A 2-d input as a dense matrix.
func denseInput<T: KernelScalar>(_ invocation: MethodInvocation, _ name: String, as: T.Type) throws -> DenseMatrix<T> {
    let (x, s) = try invocation.real(name, as: T.self)
    guard s.count == 2 else { throw TensorError.badRank(tensor: name, shape: Tensor.describe(shape: s), expected: "2-d") }
    return DenseMatrix(rows: s[0], cols: s[1], values: x)
}

extension DenseMatrix {
    var tensor: Tensor { .of(values, shape: [rows, cols]) }
}

struct LandmarksMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let q = try denseInput(invocation, "Q", as: T.self)
        return ["L": SoftAttention.landmarks(q.values, rows: q.rows, dim: q.cols, ratio: LandmarksParameters(invocation.parameters).ratio).tensor]
    }
}

struct GaussianKernelMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let a = try denseInput(invocation, "A", as: T.self), b = try denseInput(invocation, "B", as: T.self)
        guard a.cols == b.cols else { throw TensorError.shapeMismatch(tensor: "B", shape: "[\(b.rows), \(b.cols)]", expected: "[m, \(a.cols)]") }
        return ["K": SoftAttention.gaussianKernel(a, b).tensor]
    }
}

struct PseudoInverseMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let a = try denseInput(invocation, "A", as: T.self)
        guard a.rows == a.cols, a.rows > 0 else { throw TensorError.shapeMismatch(tensor: "A", shape: "(\(a.rows), \(a.cols))", expected: "square") }
        let p = PseudoInverseParameters(invocation.parameters)
        return ["V": SoftAttention.pseudoInverse(a, iterations: p.iterations, variant: p.variant).tensor]
    }
}

struct SoftAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let q = try denseInput(invocation, "Q", as: T.self), v = try denseInput(invocation, "V", as: T.self)
        let l = try denseInput(invocation, "L", as: T.self)
        guard v.rows == q.rows else { throw TensorError.shapeMismatch(tensor: "V", shape: "(\(v.rows), \(v.cols))", expected: "\(q.rows) rows as Q") }
        guard l.cols == q.cols, l.rows > 0 else {
            throw TensorError.shapeMismatch(tensor: "L", shape: "(\(l.rows), \(l.cols))", expected: "[m ≥ 1, \(q.cols)]")
        }
        let p = SoftAttentionParameters(invocation.parameters)
        let out = SoftAttention.run(
            q: q.values, rows: q.rows, dim: q.cols, v: v, landmarks: l, iterations: p.inverse.iterations,
            variant: p.inverse.variant, normalize: p.normalize)
        return ["out": out.tensor]
    }
}

struct NystromMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let q = try denseInput(invocation, "Q", as: T.self), k = try denseInput(invocation, "K", as: T.self)
        let v = try denseInput(invocation, "V", as: T.self)
        guard k.cols == q.cols, v.rows == k.rows, q.rows > 0, k.rows > 0 else {
            throw TensorError.shapeMismatch(tensor: "K/V", shape: "(\(k.rows), \(k.cols)), (\(v.rows), \(v.cols))", expected: "[n, \(q.cols)] and [n, dv]")
        }
        let p = NystromParameters(invocation.parameters)
        let m = min(p.landmarks, q.rows, k.rows)
        return ["out": NystromAttention.run(q: q, k: k, v: v, landmarks: m, iterations: p.iterations).tensor]
    }
}

struct EdgeMoEAttentionMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        // Concrete calls, so `compute` is specialized (a generic witness runs unspecialized code).
        T.self == Float.self ? try compute(invocation, as: Float.self) : try compute(invocation, as: Double.self)
    }

    private func compute<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (h, mask) = try denseHead(invocation, as: T.self)
        let parameters = ScaledCausalParameters(invocation.parameters)
        let scale = parameters.scale ?? 1 / Double(h.headDim).squareRoot()
        let out = EdgeMoEAttention.run(h, mask: mask, scale: T(scale), causal: parameters.causal)
        return ["out": .of(out, shape: [h.queries, h.valueDim])]
    }
}

/// `soft-landmarks-avgpool`'s parameters.
struct LandmarksParameters: MethodParameters {
    var ratio = 8
    static let declarations: [ParameterDeclaration<Self>] = [.integer("ratio", \.ratio, "tokens per landmark", range: 1...1_000_000_000)]
}

/// `newton-schulz-pinv`'s parameters.
struct PseudoInverseParameters: MethodParameters {
    var iterations = 20
    var variant = SoftAttention.Variant.soft

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("iters", \.iterations, "Newton–Schulz iterations", range: 0...1000),
        .choice("variant", \.variant, "soft (ridge 0.01), soft_norm or paper"),
    ]
}

/// `soft-attention`'s parameters.
struct SoftAttentionParameters: MethodParameters {
    var inverse = PseudoInverseParameters()
    var normalize = false

    static let declarations: [ParameterDeclaration<Self>] =
        PseudoInverseParameters.declarations.map { $0.nested(in: \.inverse) } + [
            .boolean("normalize", \.normalize, "the symmetric normalisation (IJCV)")
        ]
}

/// `nystrom-attention`'s parameters.
struct NystromParameters: MethodParameters {
    var landmarks = 64
    var iterations = 6

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("landmarks", \.landmarks, "m (capped at N)", range: 1...1_000_000_000),
        .integer("iters", \.iterations, "pseudo-inverse iterations", range: 0...1000),
    ]
}
