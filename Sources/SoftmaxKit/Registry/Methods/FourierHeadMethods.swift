/// Registry entries for the Fourier head.
enum FourierHeadMethods {
    static let gillman = "N. Gillman et al., Fourier Head: Helping Large Language Models Learn Complex Probability Distributions, 2024 (arXiv 2410.22269)"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "fourier-head", role: .primitive, summary: "Fourier head: autocorrelated coefficients → a density on [−1, 1], binned pmf, logits, regulariser",
            parameters: FourierHeadParameters.specs,
            inputs: [TensorSpec("params", "[B, 2(N+1)] or [2(N+1)]")],
            outputs: [
                TensorSpec("c", "[B, N+1, 2] (re, im)"), TensorSpec("c_normalized", "[B, N, 2]"), TensorSpec("bin_centers", "[n_bins]"),
                TensorSpec("pdf", "[B, n_bins]"), TensorSpec("pmf", "[B, n_bins]"), TensorSpec("logits", "[B, n_bins]"),
                TensorSpec("regularization", "0-d"),
            ],
            isExact: true, citation: gillman, implementation: FourierHeadMethod()),
        MethodDescriptor(
            id: "fourier-pdf", role: .primitive, summary: "the Fourier head's density p(x) at given points",
            parameters: FourierPDFParameters.specs,
            inputs: [TensorSpec("params", "[B, 2(N+1)] or [2(N+1)]"), TensorSpec("x", "points in [−1, 1], 1-d")],
            outputs: [TensorSpec("pdf", "[B, K]")], isExact: true, citation: gillman, implementation: FourierPDFMethod()),
    ]
}

/// The number of frequencies N: given, or `auto` (nil) to derive it from the width 2(N+1) of `params`.
private let frequenciesSummary = "N, or auto to derive it from the width 2(N+1) of params"

/// `fourier-head`'s parameters.
struct FourierHeadParameters: MethodParameters {
    var frequencies: Int?
    var bins = 64
    var gamma = 0.0
    var floor = 1e-5

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalInteger("num_frequencies", \.frequencies, frequenciesSummary, range: 1...1_000_000, automatic: "auto"),
        .integer("n_bins", \.bins, "bins of [−1, 1]", range: 1...1_000_000_000),
        .number("gamma", \.gamma, "regularisation weight γ", range: 0...1e300),
        .number("const_inverse_softmax", \.floor, "floor in logits = log(P + floor)", range: 0...1),
    ]
}

/// `fourier-pdf`'s parameters.
struct FourierPDFParameters: MethodParameters {
    var frequencies: Int?
    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalInteger("num_frequencies", \.frequencies, frequenciesSummary, range: 1...1_000_000, automatic: "auto")
    ]
}

/// `params` as (values, batch, N), N given or derived from the width.
func fourierParams(_ invocation: MethodInvocation, frequencies given: Int?) throws
    -> (values: [Double], batch: Int, frequencies: Int, oneDimensional: Bool)
{
    let (p, b, width) = try matrixInput(invocation, "params")
    let n = given ?? width / 2 - 1
    guard width == 2 * (n + 1), n >= 1 else {
        throw TensorError.shapeMismatch(tensor: "params", shape: "width \(width)", expected: "2(N+1) with N ≥ 1\(given.map { " and N = \($0)" } ?? "")")
    }
    return (p, b, n, invocation.inputs["params"]?.rank == 1)
}

struct FourierHeadMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let q = FourierHeadParameters(invocation.parameters), m = q.bins
        let (p, b, n, flat) = try fourierParams(invocation, frequencies: q.frequencies)
        // pdf, pmf and logits per example, in Double and in the output precision.
        try MemoryBudget.require([([b, m], 3 * 16), ([m], 16)], for: "fourier-head's n_bins = \(m) for \(b) examples")
        let r = try FourierHead.evaluate(p, batch: b, frequencies: n, bins: m, gamma: q.gamma, floor: q.floor)
        let lead = flat ? [] : [b]
        return [
            "c": lossTensor(r.c, shape: lead + [n + 1, 2], as: T.self), "c_normalized": lossTensor(r.normalized, shape: lead + [n, 2], as: T.self),
            "bin_centers": lossTensor(r.binCenters, shape: [m], as: T.self), "pdf": lossTensor(r.pdf, shape: lead + [m], as: T.self),
            "pmf": lossTensor(r.pmf, shape: lead + [m], as: T.self), "logits": lossTensor(r.logits, shape: lead + [m], as: T.self),
            "regularization": lossTensor([r.regularization], shape: [], as: T.self),
        ]
    }
}

struct FourierPDFMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (p, b, n, flat) = try fourierParams(invocation, frequencies: FourierPDFParameters(invocation.parameters).frequencies)
        let x = try invocation.real("x", as: Double.self).values
        var pdf: [Double] = []
        for e in 0..<b {
            let c = FourierHead.autocorrelation(p[(e * 2 * (n + 1))..<((e + 1) * 2 * (n + 1))], frequencies: n)
            guard c[0].0 > 0 else { throw LossError.parameter("example \(e) has all-zero coefficients (c₀ = 0)") }
            let normalized = c.dropFirst().map { ($0.0 / c[0].0, $0.1 / c[0].0) }
            pdf += x.map { FourierHead.density($0, Array(normalized)) }
        }
        return ["pdf": lossTensor(pdf, shape: (flat ? [] : [b]) + [x.count], as: T.self)]
    }
}
