/// Registry entries for BiViT's softmax-aware binarization (the attention engine is in
/// SoftmaxAttention, `bivit-sab-attention`).
enum BiViTMethods {
    static let all: [MethodDescriptor] = [
        .normalizer(
            "bivit-sab", summary: "BiViT softmax-aware binarization: 1 where softmax(x)ⱼ ≥ r·max softmax(x), else 0 (not renormalised)",
            parameters: SoftmaxAwareBinarizationParameters.self, isExact: true, citation: Citation.bivit, selection: true,
            isReplacement: true,
            make: { p in RowKernelNormalizer(SoftmaxAwareBinarizationKernel(ratio: p.ratio)) }),
        MethodDescriptor(
            id: "bivit-sab-backward", role: .primitive,
            summary: "SAB's straight-through backward: ∂L/∂x = p ⊙ (g − ⟨g, p⟩), p = softmax(x), row by row",
            inputs: [TensorSpec("x", "scores, rows × cols"), TensorSpec("g", "∂L/∂SAB(x), same shape")],
            outputs: [TensorSpec("dx", "∂L/∂x, same shape")], isExact: true, citation: Citation.bivit,
            implementation: SoftmaxAwareBinarizationBackwardMethod()),
    ]
}

/// `bivit-sab`'s (and `bivit-sab-attention`'s) ratio.
public struct SoftmaxAwareBinarizationParameters: MethodParameters {
    /// r: the fraction of the row's largest probability an entry must reach to be kept.
    public var ratio = 0.25

    /// The defaults.
    public init() {}

    /// `ratio ∈ (0, 1]`.
    public static let declarations: [ParameterDeclaration<Self>] = [
        .number("ratio", \.ratio, "r ∈ (0, 1]: keep entries with p ≥ r·max p", range: 0...1, check: { $0 > 0 ? nil : "must be in (0, 1]" })
    ]
}

struct SoftmaxAwareBinarizationBackwardMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        let (g, gShape) = try invocation.real("g", as: T.self)
        guard gShape == shape else {
            throw TensorError.shapeMismatch(tensor: "g", shape: Tensor.describe(shape: gShape), expected: "the shape of x, \(Tensor.describe(shape: shape))")
        }
        let layout = RowLayout(shape: shape)
        var dx = [T](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in
            g.withUnsafeBufferPointer { gb in
                dx.withUnsafeMutableBufferPointer { db in
                    for r in 0..<layout.rows where layout.cols > 0 {
                        let o = r * layout.cols
                        SoftmaxAwareBinarizationBackward.row(xb.baseAddress! + o, gb.baseAddress! + o, into: db.baseAddress! + o, count: layout.cols)
                    }
                }
            }
        }
        return ["dx": .of(dx, shape: shape)]
    }
}
