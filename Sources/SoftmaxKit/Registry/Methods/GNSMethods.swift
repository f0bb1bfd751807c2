/// Registry entries for the gradient-regularised Newton solver and the two softmax problems it is
/// measured on (LogSumExp; softmax regression).
enum GNSMethods {
    static let li =
        "S. Li, Z. Song, Y. Xia, T. Yu, T. Zhou, The Closeness of In-Context Learning and Weight Shifting for Softmax Regression, 2023 (arXiv 2304.13276)"
    static let problem = [TensorSpec("A", "[m, n]"), TensorSpec("b", "[m]"), TensorSpec("x", "[n]")]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "gns-logsumexp", role: .primitive,
            summary: "f = μ·log Σ exp((Ax − b)/μ), ∇f = Aᵀπ, ∇²f = (Aᵀdiag(π)A − ∇f∇fᵀ)/μ, H̃ = Aᵀdiag(π)A/μ",
            parameters: MuParameters.specs, inputs: problem,
            outputs: [
                TensorSpec("f", "0-d"), TensorSpec("grad", "[n]"), TensorSpec("hess", "[n, n]"), TensorSpec("hess_approx", "[n, n]"),
                TensorSpec("pi", "softmax((Ax − b)/μ) [m]"),
            ],
            isExact: true, citation: GradientNormalizedNewton.citation, implementation: ProblemMethod(problem: .logsumexp)),
        MethodDescriptor(
            id: "softmax-regression", role: .primitive,
            summary: "L = ½‖softmax(Ax) − b‖², its gradient, Hessian and Gauss–Newton matrix Aᵀ S² A",
            inputs: problem,
            outputs: [
                TensorSpec("f", "softmax(Ax) [m]"), TensorSpec("loss", "0-d"), TensorSpec("grad", "[n]"), TensorSpec("hess", "[n, n]"),
                TensorSpec("hess_approx", "[n, n]"),
            ],
            isExact: true, citation: li, implementation: ProblemMethod(problem: .softmaxRegression)),
        MethodDescriptor(
            id: "softmax-regression-gd-step", role: .primitive, summary: "weight shifting: x⁺ = x − η∇L(x)",
            parameters: LearningRateParameters.specs, inputs: problem, outputs: [TensorSpec("x_new", "[n]")], isExact: true, citation: li,
            implementation: GradientStepMethod()),
        MethodDescriptor(
            id: "gns-step", role: .primitive, summary: "λ = ‖g‖*/(γ + ε), Δ = −(H + λB)⁻¹g, ‖v‖*² = vᵀB⁻¹v",
            parameters: StepParameters.specs,
            inputs: [
                TensorSpec("g", "gradient [n]"), TensorSpec("H", "Hessian [n, n]"),
                TensorSpec("B", "metric [n, n], positive definite (default I)", optional: true),
            ],
            outputs: [TensorSpec("dx", "[n]"), TensorSpec("lambda", "0-d")], isExact: true, citation: GradientNormalizedNewton.citation,
            implementation: StepMethod()),
        MethodDescriptor(
            id: "gns-minimize", role: .primitive,
            summary: "gradient-regularised Newton with adaptive γ on logsumexp or softmax regression, exact or Gauss–Newton Hessian; traces",
            parameters: MinimizeParameters.specs,
            inputs: [TensorSpec("A", "[m, n]"), TensorSpec("b", "[m]"), TensorSpec("x0", "[n]"), TensorSpec("B", "metric [n, n] (default I)", optional: true)],
            outputs: [
                TensorSpec("x", "[n]"), TensorSpec("f", "0-d"), TensorSpec("grad_norm", "‖∇f‖* (0-d)"), TensorSpec("gamma", "0-d"),
                TensorSpec("iterations", .index, "0-d"), TensorSpec("converged", .boolean, "0-d"), TensorSpec("f_trace", "[iterations + 1]"),
                TensorSpec("grad_norm_trace", "[iterations + 1]"), TensorSpec("gamma_trace", "[iterations + 1]"),
            ],
            isExact: true, citation: GradientNormalizedNewton.citation, implementation: MinimizeMethod()),
    ]
}

struct MuParameters: MethodParameters {
    var mu = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("mu", \.mu, "μ > 0, the smoothing", range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude)
    ]
}

struct LearningRateParameters: MethodParameters {
    var eta = 0.1
    static let declarations: [ParameterDeclaration<Self>] = [.number("eta", \.eta, "η, the step size", range: -1e300...1e300)]
}

struct StepParameters: MethodParameters {
    var gamma = 1.0
    var eps = 1e-8
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("gamma", \.gamma, "γ ≥ 0, the radius", range: 0...1e300),
        .number("eps", \.eps, "ε ≥ 0 in λ = ‖g‖*/(γ + ε)", range: 0...1e300),
    ]
}

/// Which Hessian the solver uses.
enum HessianChoice: String, CaseIterable, Sendable { case exact, approx }

struct MinimizeParameters: MethodParameters {
    var problem = SoftmaxProblem.logsumexp
    var hessian = HessianChoice.exact
    var mu = 1.0
    var iterations = 1000
    var gamma0 = 1.0
    var eps = 1e-8
    var gammaMin = 1e-9
    var fStar: Double?
    var gradTolerance: Double?
    var adaptive = true
    static let declarations: [ParameterDeclaration<Self>] = [
        .choice("problem", \.problem, "logsumexp or softmax-regression"),
        .choice("hessian", \.hessian, "exact, or approx (the Gauss–Newton H̃)"),
        .number("mu", \.mu, "μ > 0 (logsumexp)", range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude),
        .integer("n_iters", \.iterations, "outer iterations at most", range: 0...10_000_000),
        .number("gamma0", \.gamma0, "γ₀ > 0", range: Double.leastNormalMagnitude...1e300),
        .number("eps", \.eps, "ε ≥ 0: in λ and in the f − f* < ε stop", range: 0...1e300),
        .number("gamma_min", \.gammaMin, "γ's floor after an accepted step", range: 0...1e300),
        .optionalNumber("f_star", \.fStar, "the optimal value, or none", range: -1e300...1e300, automatic: "none"),
        .optionalNumber("grad_tol", \.gradTolerance, "stop when ‖g‖* < grad_tol, or none", range: 0...1e300, automatic: "none"),
        .boolean("adaptive", \.adaptive, "adapt γ (false: one trial per iteration)"),
    ]
}

/// A, b and a point x of matching sizes (the point named `xName`), in Double.
func problemInputs(_ invocation: MethodInvocation, xName: String, squareOf square: Bool) throws -> (a: [Double], b: [Double], x: [Double], m: Int, n: Int) {
    let (a, aShape) = try invocation.real("A", as: Double.self)
    guard aShape.count == 2 else { throw TensorError.badRank(tensor: "A", shape: Tensor.describe(shape: aShape), expected: "2-d [m, n]") }
    let (m, n) = (aShape[0], aShape[1])
    let b = try exactInput(invocation, "b", shape: [m]), x = try exactInput(invocation, xName, shape: [n])
    try MemoryBudget.require([(factors: [n, n], elementBytes: 8), (factors: square ? [m, m] : [m], elementBytes: 8)], for: "A of shape (\(m), \(n))")
    return (a, b, x, m, n)
}

/// The metric B (n × n, symmetric positive definite) and its factor; the identity when absent.
func metricInput(_ invocation: MethodInvocation, n: Int) throws -> ([Double], DenseCholesky) {
    let b = try invocation.inputs["B"] == nil ? (0..<(n * n)).map { $0 % (n + 1) == 0 ? 1.0 : 0 } : exactInput(invocation, "B", shape: [n, n])
    guard let factor = DenseCholesky(b, n: n) else {
        throw TensorError.badValue(tensor: "B", index: 0, value: "a matrix that is not positive definite", expected: "a symmetric positive-definite metric")
    }
    return (b, factor)
}

struct ProblemMethod: MethodImplementation {
    let problem: SoftmaxProblem

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (a, b, x, m, n) = try problemInputs(invocation, xName: "x", squareOf: problem == .softmaxRegression)
        let e = problem.evaluate(a: a, b: b, x: x, mu: MuParameters(invocation.parameters).mu, hessian: true, approximation: true)
        var out: [String: Tensor] = [
            "grad": lossTensor(e.gradient, shape: [n], as: T.self), "hess": lossTensor(e.hessian!, shape: [n, n], as: T.self),
            "hess_approx": lossTensor(e.approximation!, shape: [n, n], as: T.self),
        ]
        switch problem {
        case .logsumexp:
            out["f"] = lossTensor([e.value], shape: [], as: T.self)
            out["pi"] = lossTensor(e.softmax, shape: [m], as: T.self)
        case .softmaxRegression:
            out["f"] = lossTensor(e.softmax, shape: [m], as: T.self)
            out["loss"] = lossTensor([e.value], shape: [], as: T.self)
        }
        return out
    }
}

struct GradientStepMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (a, b, x, _, n) = try problemInputs(invocation, xName: "x", squareOf: false)
        let g = SoftmaxProblem.softmaxRegression.evaluate(a: a, b: b, x: x, mu: 1, hessian: false, approximation: false).gradient
        let eta = LearningRateParameters(invocation.parameters).eta
        return ["x_new": lossTensor(zip(x, g).map { $0 - eta * $1 }, shape: [n], as: T.self)]
    }
}

struct StepMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (g, gShape) = try invocation.real("g", as: Double.self)
        guard gShape.count == 1 else { throw TensorError.badRank(tensor: "g", shape: Tensor.describe(shape: gShape), expected: "1-d [n]") }
        let n = gShape[0]
        let h = try exactInput(invocation, "H", shape: [n, n])
        let (metric, factor) = try metricInput(invocation, n: n)
        let p = StepParameters(invocation.parameters)
        guard let (dx, lambda) = GradientNormalizedNewton.step(gradient: g, hessian: h, metric: metric, metricFactor: factor, gamma: p.gamma, eps: p.eps) else {
            throw TensorError.badValue(
                tensor: "H", index: 0, value: "H + λB not positive definite", expected: "H + λB positive definite (a larger λ: a smaller gamma)")
        }
        return ["dx": lossTensor(dx, shape: [n], as: T.self), "lambda": lossTensor([lambda], shape: [], as: T.self)]
    }
}

struct MinimizeMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let p = MinimizeParameters(invocation.parameters)
        let (a, b, x0, _, n) = try problemInputs(invocation, xName: "x0", squareOf: p.problem == .softmaxRegression)
        let (metric, factor) = try metricInput(invocation, n: n)
        var o = GradientNormalizedNewton.Options()
        o.approximateHessian = p.hessian == .approx
        (o.iterations, o.gamma0, o.eps, o.gammaMin, o.fStar, o.gradTolerance, o.adaptive) =
            (p.iterations, p.gamma0, p.eps, p.gammaMin, p.fStar, p.gradTolerance, p.adaptive)
        let r = GradientNormalizedNewton.minimize(p.problem, a: a, b: b, x0: x0, mu: p.mu, metric: metric, metricFactor: factor, options: o)
        let k = r.valueTrace.count
        return [
            "x": lossTensor(r.x, shape: [n], as: T.self), "f": lossTensor([r.value], shape: [], as: T.self),
            "grad_norm": lossTensor([r.gradientNorm], shape: [], as: T.self), "gamma": lossTensor([r.gamma], shape: [], as: T.self),
            "iterations": Tensor(shape: [], storage: .int64([Int64(r.iterations)])), "converged": Tensor(shape: [], [r.converged]),
            "f_trace": lossTensor(r.valueTrace, shape: [k], as: T.self), "grad_norm_trace": lossTensor(r.gradientNormTrace, shape: [k], as: T.self),
            "gamma_trace": lossTensor(r.gammaTrace, shape: [k], as: T.self),
        ]
    }
}
