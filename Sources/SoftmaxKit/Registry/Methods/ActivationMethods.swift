/// Registry entries for the GELU family and its replacements.
enum ActivationMethods {
    static let all: [MethodDescriptor] = [
        .activation(
            "gelu", summary: "GELU, exact: x·Φ(x) = ½x·erfc(−x/√2)", isExact: true, citation: Citation.gelu,
            reference: .gelu, make: { _ in ElementwiseActivation(GELU.Exact()) }),
        .activation(
            "gelu-tanh", summary: "GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))", citation: Citation.gelu,
            reference: .gelu, accuracy: .within(1e-3), make: { _ in ElementwiseActivation(GELU.Tanh()) }),
        .activation(
            "gelu-sigmoid", summary: "GELU, sigmoid form: x·σ(1.702x)", citation: Citation.gelu,
            reference: .gelu, accuracy: .within(3e-2), make: { _ in ElementwiseActivation(GELU.Sigmoid()) }),
        .activation(
            "silu", summary: "SiLU (swish): x·σ(x), exact", isExact: true, citation: Citation.silu,
            reference: .silu, make: { _ in ElementwiseActivation(GELU.SiLU()) }),
        .activation(
            "edge-moe-gelu", summary: "Edge-MoE GELU: ReLU(x) − δ(|x|), δ from a 177-entry table (step 1/32, 22 fractional bits), linear interpolation",
            citation: Citation.edgeMoE, reference: .gelu, accuracy: .within(2e-4), make: { _ in ElementwiseActivation(EdgeMoEGELU()) }),
        MethodDescriptor(
            id: "edge-moe-gelu-table", role: .primitive, summary: "Edge-MoE's GELU table: δ_k = rne(2²²·t·Φ(−t))/2²², t = k/32, k = 0…176",
            inputs: [], outputs: [TensorSpec("delta", "177 entries"), TensorSpec("step", "1/32"), TensorSpec("x_max", "5.5")],
            isExact: true, citation: Citation.edgeMoE, implementation: EdgeMoEGELUTableMethod()),
        .activation(
            "puma-gelu", summary: "PUMA GeLU: piecewise polynomial (0 | cubic | even sextic + x/2 | x) with breaks at −4, −1.95, 3",
            citation: Citation.puma, reference: .gelu, accuracy: .within(3e-2), make: { _ in ElementwiseActivation(Puma.GELU()) }),
        .activation(
            "puma-silu", summary: "PUMA SiLU (LLaMA example): piecewise polynomial with breaks at −8, −4, 4",
            citation: Citation.puma, reference: .silu, accuracy: .within(0.1), make: { _ in ElementwiseActivation(Puma.SiLU()) }),
        .activation(
            "ibert-gelu-poly-float", summary: "I-BERT's GELU polynomial in floating point: x·½(1 + L(x/√2)), L a clipped quadratic",
            citation: Citation.ibert, reference: .gelu, accuracy: .within(3e-2), make: { _ in ElementwiseActivation(IBertGELUFloat()) }),
        .activation(
            "poly-relu", summary: "PolyReLU: a3·ReLU(x)³ + a2·ReLU(x)² + a1·ReLU(x) + a0",
            parameters: PolyReLUParameters.self, isExact: true, citation: Citation.polycom, reference: .gelu, isReplacement: true,
            make: { p in ElementwiseActivation(PolyComposition.ReLU(a: p.weights, bias: p.bias)) }),
        .activation(
            "poly-norm", summary: "PolyNorm: a3·N(x³) + a2·N(x²) + a1·N(x) + a0, N an RMS norm over each row",
            parameters: PolyNormParameters.self, isExact: true, citation: Citation.polycom, reference: .gelu, isReplacement: true,
            make: { p in PolyComposition.Norm(a: p.weights, bias: p.bias, epsilon: p.epsilon) }),
    ]
}

/// PolyCom's weights `[a3, a2, a1]` (the code's order), checked to be three.
private let polyWeightsSummary = "[a3, a2, a1], the code's order"
@Sendable private func threeWeights(_ a: [Double]) -> String? { a.count == 3 ? nil : "takes three weights [a3, a2, a1], got \(a.count)" }

/// `poly-relu`'s parameters.
struct PolyReLUParameters: MethodParameters {
    var weights = [1.0 / 3, 1.0 / 3, 1.0 / 3]
    var bias = 0.0

    static let declarations: [ParameterDeclaration<Self>] = [
        .array("a", \.weights, polyWeightsSummary, check: threeWeights),
        .number("bias", \.bias, "a0", range: -1e30...1e30),
    ]
}

/// `poly-norm`'s parameters.
struct PolyNormParameters: MethodParameters {
    var weights = [1.0 / 3, 1.0 / 3, 1.0 / 3]
    var bias = 0.0
    var epsilon = 1e-6

    static let declarations: [ParameterDeclaration<Self>] = [
        .array("a", \.weights, polyWeightsSummary, check: threeWeights),
        .number("bias", \.bias, "a0", range: -1e30...1e30),
        .number("eps", \.epsilon, "ε in N", range: 0...1),
    ]
}

struct IBertGELUFloat: ElementwiseFunction {
    func callAsFunction(_ x: Float) -> Float { IBertFloat.gelu(x) }
    func callAsFunction(_ x: Double) -> Double { IBertFloat.gelu(x) }
}

struct EdgeMoEGELUTableMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        [
            "delta": .of(EdgeMoEGELU.table.map { T($0) }, shape: [EdgeMoEGELU.table.count]),
            "step": .of([T(EdgeMoEGELU.step)], shape: []), "x_max": .of([T(EdgeMoEGELU.xMax)], shape: []),
        ]
    }
}
