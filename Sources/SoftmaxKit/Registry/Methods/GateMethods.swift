/// Registry entries for the mixture-of-experts gates.
enum GateMethods {
    static let nguyen =
        "H. Nguyen, P. Akbarian, F. Yan, N. Ho, Statistical Perspective of Top-K Sparse Softmax Gating Mixture of Experts, ICLR 2024 (arXiv 2309.13850); H. Nguyen, P. Akbarian, N. Ho, ICML 2024 (arXiv 2401.13875)"
    static let inputs = [TensorSpec("x", "[N, d]"), TensorSpec("B1", "[E, d]"), TensorSpec("b0", "[E]", optional: true)]

    static let all: [MethodDescriptor] = [
        .gate(
            "topk-softmax-gate", summary: "softmax over the K largest scores β₁x + β₀ (ties to the lower index), others 0",
            parameters: TopKGateParameters.self, make: { p in MixtureGates.Kind.topK(p.k, order: p.order) }),
        .gate(
            "dense-to-sparse-gate", summary: "softmax((β₁x + β₀)/τ)",
            parameters: DenseToSparseGateParameters.self, make: { p in MixtureGates.Kind.denseToSparse(tau: p.tau) }),
        .gate(
            "activation-dense-to-sparse-gate", summary: "softmax(σ(β₁x)/τ + β₀), σ sigmoid or tanh",
            parameters: ActivationGateParameters.self,
            make: { p in MixtureGates.Kind.activation(tau: p.tau, tanh: p.activation == .tanh) }),
    ]
}

extension MethodDescriptor {
    /// A gate entry: `(x, B1, b0) → G`, the gate given by `make`.
    static func gate<P: MethodParameters>(
        _ id: String, summary: String, parameters: P.Type, make typed: @escaping @Sendable (P) throws -> any Gate
    ) -> MethodDescriptor {
        let make: @Sendable (ParameterValues) throws -> any Gate = { try typed(P($0)) }
        return MethodDescriptor(
            id: id, role: .gate, summary: summary, parameters: P.specs, inputs: GateMethods.inputs, outputs: [TensorSpec("G", "[N, E]")],
            isExact: true, citation: GateMethods.nguyen, implementation: GateMethod(make: make), gate: make)
    }
}

/// The `call` plumbing of every gate: read the token rows and the router, apply the gate.
struct GateMethod: MethodImplementation {
    let make: @Sendable (ParameterValues) throws -> any Gate

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, n, d) = try matrixInput(invocation, "x")
        let (b1, e, d1) = try matrixInput(invocation, "B1")
        guard d1 == d else { throw TensorError.shapeMismatch(tensor: "B1", shape: "(\(e), \(d1))", expected: "[E, \(d)]") }
        let b0 = try invocation.inputs["b0"].map { _ in try invocation.real("b0", as: Double.self).values }
        let router = GateRouter(b1: b1, experts: e, b0: b0)
        let g = try make(invocation.parameters).weights(x, rows: n, dim: d, router: router)
        return ["G": lossTensor(g, shape: [n, e], as: T.self)]
    }
}

/// `topk-softmax-gate`'s parameters.
struct TopKGateParameters: MethodParameters {
    var k = 2
    var order = MixtureGates.TopKOrder.topKSoftmax

    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("k", \.k, "experts kept", range: 1...1_000_000_000),
        .choice(
            "order", \.order,
            "topk-softmax (softmax over the kept), softmax-topk (renormalised), softmax-topk-unnormalized, sigmoid-topk (renormalised)"),
    ]
}

/// `dense-to-sparse-gate`'s parameters.
struct DenseToSparseGateParameters: MethodParameters {
    var tau = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [.number("tau", \.tau, "temperature τ > 0", range: 1e-300...1e300)]
}

/// `activation-dense-to-sparse-gate`'s parameters.
struct ActivationGateParameters: MethodParameters {
    var tau = 1.0
    var activation = Activation.sigmoid

    enum Activation: String, CaseIterable, Sendable { case sigmoid, tanh }

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("tau", \.tau, "temperature τ > 0", range: 1e-300...1e300),
        .choice("activation", \.activation, "sigmoid or tanh"),
    ]
}
