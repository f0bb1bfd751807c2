import Foundation

/// Registry entries for TempNet (Qiu et al. 2024): per-row temperature softmax, the DRO losses and
/// the temperature heads.
enum TempNetMethods {
    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "tau-softmax", role: .normalizer, summary: "softmax(zᵢ/τᵢ) with one temperature per row (input tau, or the tau parameter)",
            parameters: TauSoftmaxParameters.specs,
            inputs: [TensorSpec("logits", "rows × cols"), TensorSpec("tau", "temperature per row, > 0 (or 0-d for all)", optional: true)],
            outputs: [TensorSpec("y", "weights, same shape")], isExact: true, citation: TempNet.citation, implementation: TauSoftmaxMethod(),
            normalizer: { values in
                var p = ExactSoftmaxParameters()
                p.temperature = TauSoftmaxParameters(values).tau
                return ExactSoftmaxNormalizer(p, output: .probabilities)
            },
            axisInputs: ["logits"]),
        MethodDescriptor(
            id: "tempnet-dro-loss", role: .loss, summary: "DRO next-token loss τ·ln((1/K)Σe^{(z_k−z_y)/τ}) + ρτ, gradients in z and τ per row",
            parameters: DROParameters.specs,
            inputs: [
                TensorSpec("logits", "[N, K]"), TensorSpec("labels", .index, "[N]"), TensorSpec("tau", "[N] temperatures > 0 (or 0-d)"),
            ],
            outputs: [
                TensorSpec("per_example", "ℓ [N]"), TensorSpec("loss", "the mean (0-d)"), TensorSpec("ce", "CE(z/τ, y) [N]"),
                TensorSpec("grad_logits", "∂ℓ/∂z = softmax(z/τ) − e_y per row [N, K]"), TensorSpec("grad_tau", "∂ℓ/∂τ per row [N]"),
            ],
            isExact: true, citation: TempNet.citation, implementation: DROLossMethod(), axisInputs: ["logits"]),
        MethodDescriptor(
            id: "tempnet-dro-contrastive-loss", role: .loss,
            summary: "CLIP DRO loss: mean over images of τᵢ·ln(1/(B−1)Σ_{j≠i}e^{(S_ij−S_ii)/τᵢ}) + ρτᵢ, plus the same over texts",
            parameters: DROParameters.specs,
            inputs: [
                TensorSpec("S", "similarities [B, B], positives on the diagonal, B ≥ 2"), TensorSpec("tau_image", "[B] > 0"),
                TensorSpec("tau_text", "[B] > 0"),
            ],
            outputs: [
                TensorSpec("loss", "0-d"), TensorSpec("image_loss", "mean F (0-d)"), TensorSpec("text_loss", "mean G (0-d)"),
                TensorSpec("grad_tau_image", "∂F_i/∂τ_i [B]"), TensorSpec("grad_tau_text", "∂G_j/∂τ′_j [B]"),
                TensorSpec("grad_S", "∂loss/∂S = (W − I)/B + (V − I)/B [B, B]"),
            ],
            isExact: true, citation: TempNet.citation, implementation: DROContrastiveMethod()),
        MethodDescriptor(
            id: "tempnet-head", role: .primitive, summary: "TempNet's LLM head: τ = (τmax−τmin)·σ(w₃·((softmax(h/e^θ) − 1/M)⊙h) + b₃) + τmin",
            parameters: TempNetHeadParameters.specs,
            inputs: [
                TensorSpec("x", "logits [N, V]"), TensorSpec("W1", "[M, V]"), TensorSpec("b1", "[M]"), TensorSpec("W2", "[M, M]"),
                TensorSpec("b2", "[M]"), TensorSpec("w3", "[M]"),
            ],
            outputs: [TensorSpec("tau", "[N]")], isExact: true, citation: TempNet.citation, implementation: TempNetHeadMethod()),
        MethodDescriptor(
            id: "tempnet-clip-head", role: .primitive,
            summary: "TempNet's CLIP head: a = σ(W_p x + b_p)·P̂ᵀ, τ = (τmax−τmin)·σ(w·((softmax(a/e^θ) − 1/M)⊙σ(a)) + b) + τmin",
            parameters: TempNetClipHeadParameters.specs,
            inputs: [
                TensorSpec("x", "L2-normalised embeddings [N, D]"), TensorSpec("Wp", "[D, D]"), TensorSpec("bp", "[D]"),
                TensorSpec("prototypes", "[M, D]"), TensorSpec("w", "[M]"),
            ],
            outputs: [TensorSpec("tau", "[N]")], isExact: true, citation: TempNet.citation, implementation: TempNetClipHeadMethod()),
    ]
}

struct TauSoftmaxParameters: MethodParameters {
    var tau = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("tau", \.tau, "the temperature of rows without a tau input, > 0", range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude)
    ]
}

struct DROParameters: MethodParameters {
    var rho = 8.0
    static let declarations: [ParameterDeclaration<Self>] = [.number("rho", \.rho, "ρ, the KL constraint's multiplier", range: -1e300...1e300)]
}

struct TempNetHeadParameters: MethodParameters {
    var b3 = 0.0
    var logScaler = 0.0
    var tauMin = 0.01
    var tauMax = 2.0
    var shiftMax = true
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("b3", \.b3, "the last layer's bias", range: -1e300...1e300),
        .number("log_scaler", \.logScaler, "θ: the softmax divides by e^θ", range: -700...700),
        .number("tau_min", \.tauMin, "the smallest τ, > 0", range: 0...1e300, check: { $0 > 0 ? nil : "must be > 0" }),
        .number("tau_max", \.tauMax, "the largest τ", range: 0...1e300, check: { $0 > 0 ? nil : "must be > 0" }),
        .boolean("shift_max", \.shiftMax, "subtract the row maximum first (LLaMA-2 and the inference head)"),
    ]
}

struct TempNetClipHeadParameters: MethodParameters {
    var b = 0.0
    var logScaler = Foundation.log(0.01)
    var tauMin = 0.005
    var tauMax = 0.05
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("b", \.b, "the last layer's bias", range: -1e300...1e300),
        .number("log_scaler", \.logScaler, "θ: the softmax divides by e^θ (init ln 0.01)", range: -700...700),
        .number("tau_min", \.tauMin, "the smallest τ, > 0", range: 0...1e300, check: { $0 > 0 ? nil : "must be > 0" }),
        .number("tau_max", \.tauMax, "the largest τ", range: 0...1e300, check: { $0 > 0 ? nil : "must be > 0" }),
    ]
}

/// A per-row temperature input (one per row, or 0-d), each finite and > 0.
func temperatures(_ invocation: MethodInvocation, _ name: String, layout: RowLayout, default value: Double?) throws -> [Double] {
    try perRowInput(invocation, name, layout: layout, fallback: value, expected: "a finite temperature > 0") { $0.isFinite && $0 > 0 }
}

struct TauSoftmaxMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (z, shape) = try invocation.real("logits", as: T.self)
        let layout = RowLayout(shape: shape)
        let tau = try temperatures(invocation, "tau", layout: layout, default: TauSoftmaxParameters(invocation.parameters).tau)
        var y = [T](repeating: 0, count: z.count)
        try z.withUnsafeBufferPointer { zb in
            try y.withUnsafeMutableBufferPointer { yb in
                guard layout.cols > 0 else { return }
                // Each row on the exact kernels with its own temperature.
                for r in 0..<layout.rows {
                    let x = RowBatch(base: zb.baseAddress! + r * layout.cols, rows: 1, cols: layout.cols)
                    let out = MutableRowBatch(base: yb.baseAddress! + r * layout.cols, rows: 1, cols: layout.cols)
                    try ExactSoftmax.softmax(x, into: out, options: SoftmaxOptions(temperature: tau[r]))
                }
            }
        }
        return ["y": .of(y, shape: shape)]
    }
}

struct DROLossMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (z, n, k) = try matrixInput(invocation, "logits")
        let labels = try indexInput(invocation, "labels", count: n)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= k }) {
            throw LossError.label("labels[\(bad)] = \(labels[bad]) is not a class of \(k) (0…\(k - 1))")
        }
        let tau = try temperatures(invocation, "tau", layout: RowLayout(shape: [n, k]), default: nil)
        let rho = DROParameters(invocation.parameters).rho
        var perExample = [Double](repeating: 0, count: n), ce = perExample, dTau = perExample
        var grad = [Double](repeating: 0, count: n * k)
        for i in 0..<n where k > 0 {
            var g = grad[(i * k)..<(i * k + k)]
            let r = TempNet.droRow(z[(i * k)..<(i * k + k)], label: labels[i], tau: tau[i], rho: rho, gradient: &g)
            grad.replaceSubrange((i * k)..<(i * k + k), with: g)
            (perExample[i], ce[i], dTau[i]) = (r.loss, r.ce, r.dTau)
        }
        let flat = invocation.inputs["logits"]?.rank == 1
        let rows: [Int] = flat ? [] : [n]
        return [
            "per_example": lossTensor(perExample, shape: rows, as: T.self),
            "loss": lossTensor([n == 0 ? .nan : perExample.reduce(0, +) / Double(n)], shape: [], as: T.self),
            "ce": lossTensor(ce, shape: rows, as: T.self), "grad_logits": lossTensor(grad, shape: rows + [k], as: T.self),
            "grad_tau": lossTensor(dTau, shape: rows, as: T.self),
        ]
    }
}

struct DROContrastiveMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (s, shape) = try invocation.real("S", as: Double.self)
        guard shape.count == 2, shape[0] == shape[1], shape[0] >= 2 else {
            throw TensorError.shapeMismatch(tensor: "S", shape: Tensor.describe(shape: shape), expected: "[B, B] with B ≥ 2")
        }
        let b = shape[0]
        let layout = RowLayout(shape: [b, b])
        let tauImage = try temperatures(invocation, "tau_image", layout: layout, default: nil)
        let tauText = try temperatures(invocation, "tau_text", layout: layout, default: nil)
        let rho = DROParameters(invocation.parameters).rho
        let image = TempNet.contrastiveSide(s, b: b, tau: tauImage, rho: rho, byRows: true)
        let text = TempNet.contrastiveSide(s, b: b, tau: tauText, rho: rho, byRows: false)
        var grad = [Double](repeating: 0, count: b * b)
        for i in 0..<b {
            for j in 0..<b { grad[i * b + j] = (image.weights[i * b + j] + text.weights[i * b + j] - (i == j ? 2 : 0)) / Double(b) }
        }
        let imageLoss = image.f.reduce(0, +) / Double(b), textLoss = text.f.reduce(0, +) / Double(b)
        return [
            "loss": lossTensor([imageLoss + textLoss], shape: [], as: T.self), "image_loss": lossTensor([imageLoss], shape: [], as: T.self),
            "text_loss": lossTensor([textLoss], shape: [], as: T.self), "grad_tau_image": lossTensor(image.dTau, shape: [b], as: T.self),
            "grad_tau_text": lossTensor(text.dTau, shape: [b], as: T.self), "grad_S": lossTensor(grad, shape: [b, b], as: T.self),
        ]
    }
}

/// A real input of exactly `shape`.
func exactInput(_ invocation: MethodInvocation, _ name: String, shape: [Int]) throws -> [Double] {
    let (v, s) = try invocation.real(name, as: Double.self)
    guard s == shape else { throw TensorError.shapeMismatch(tensor: name, shape: Tensor.describe(shape: s), expected: Tensor.describe(shape: shape)) }
    return v
}

struct TempNetHeadMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, v) = try matrixInput(invocation, "x")
        let (w1, w1Shape) = try invocation.real("W1", as: Double.self)
        guard w1Shape.count == 2, w1Shape[1] == v else {
            throw TensorError.shapeMismatch(tensor: "W1", shape: Tensor.describe(shape: w1Shape), expected: "[M, \(v)]: M × the logits' length")
        }
        let m = w1Shape[0]
        let b1 = try exactInput(invocation, "b1", shape: [m]), w2 = try exactInput(invocation, "W2", shape: [m, m])
        let b2 = try exactInput(invocation, "b2", shape: [m]), w3 = try exactInput(invocation, "w3", shape: [m])
        let p = TempNetHeadParameters(invocation.parameters)
        guard p.tauMin < p.tauMax else { throw LossError.parameter("tau_min (\(p.tauMin)) must be below tau_max (\(p.tauMax))") }
        let tau = (0..<n).map { i in
            TempNetHead.llm(
                x[(i * v)..<(i * v + v)], w1: w1[...], b1: b1[...], w2: w2[...], b2: b2[...], w3: w3[...], b3: p.b3, logScaler: p.logScaler,
                tauMin: p.tauMin, tauMax: p.tauMax, shiftMax: p.shiftMax)
        }
        return ["tau": lossTensor(tau, shape: invocation.inputs["x"]?.rank == 1 ? [] : [n], as: T.self)]
    }
}

struct TempNetClipHeadMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, d) = try matrixInput(invocation, "x")
        let wp = try exactInput(invocation, "Wp", shape: [d, d]), bp = try exactInput(invocation, "bp", shape: [d])
        let (prototypes, pShape) = try invocation.real("prototypes", as: Double.self)
        guard pShape.count == 2, pShape[1] == d else {
            throw TensorError.shapeMismatch(tensor: "prototypes", shape: Tensor.describe(shape: pShape), expected: "[M, \(d)]")
        }
        let w = try exactInput(invocation, "w", shape: [pShape[0]])
        let p = TempNetClipHeadParameters(invocation.parameters)
        guard p.tauMin < p.tauMax else { throw LossError.parameter("tau_min (\(p.tauMin)) must be below tau_max (\(p.tauMax))") }
        let tau = (0..<n).map { i in
            TempNetHead.clip(
                x[(i * d)..<(i * d + d)], wp: wp[...], bp: bp[...], prototypes: prototypes[...], w: w[...], b: p.b, logScaler: p.logScaler,
                tauMin: p.tauMin, tauMax: p.tauMax)
        }
        return ["tau": lossTensor(tau, shape: invocation.inputs["x"]?.rank == 1 ? [] : [n], as: T.self)]
    }
}
