/// Registry entries for the exact kernels.
enum ExactSoftmaxMethods {
    static let dukhan = "M. Dukhan, A. Ablavatski, The Two-Pass Softmax Algorithm, 2020 (arXiv 2001.04438)"
    static let milakov = "M. Milakov, N. Gimelshein, Online normalizer calculation for softmax, 2018 (arXiv 1805.02867)"
    static let bridle = "J. S. Bridle, Probabilistic interpretation of feedforward classification network outputs, 1990"

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "softmax", role: .normalizer,
            summary: "softmax over each row: e^{x/T} / Σ e^{x/T}; exact, or with a cheap exponential (exp)",
            parameters: SoftmaxParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")], outputs: [TensorSpec("y", "probabilities, same shape")],
            isExact: true, citation: bridle,
            implementation: NormalizerMethod(make: softmaxNormalizer), normalizer: softmaxNormalizer),
        MethodDescriptor(
            id: "log-softmax", role: .normalizer, summary: "exact log-softmax: x/T − logsumexp(x/T)",
            parameters: ExactSoftmaxParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")], outputs: [TensorSpec("y", "log-probabilities, same shape")],
            isExact: true, citation: bridle,
            implementation: NormalizerMethod(make: { ExactSoftmaxNormalizer(ExactSoftmaxParameters($0), output: .logProbabilities) }),
            normalizer: { ExactSoftmaxNormalizer(ExactSoftmaxParameters($0), output: .logProbabilities) },
            outputScale: .logProbability),
        MethodDescriptor(
            id: "logsumexp", role: .reduction, summary: "log Σ e^{x/T} per row (−∞ for empty or fully masked rows)",
            parameters: ExactSoftmaxParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")], outputs: [TensorSpec("y", "one value per row")],
            isExact: true, citation: bridle, implementation: LogSumExpMethod()),
        MethodDescriptor(
            id: "masked-softmax", role: .normalizer,
            summary: "softmax over the positions where mask is true; masked positions are never read and get 0",
            parameters: ExactSoftmaxParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols"), TensorSpec("mask", .boolean, "keep-mask, same shape (true = visible)")],
            outputs: [TensorSpec("y", "probabilities, same shape")],
            isExact: true, citation: bridle,
            implementation: NormalizerMethod(make: { ExactSoftmaxNormalizer(ExactSoftmaxParameters($0), output: .probabilities) }),
            normalizer: { ExactSoftmaxNormalizer(ExactSoftmaxParameters($0), output: .probabilities) }),
        MethodDescriptor(
            id: "two-pass-softmax", role: .normalizer,
            summary: "two-pass softmax with (mantissa, exponent) accumulation: no max pass, no overflow",
            parameters: TemperatureParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")],
            outputs: [
                TensorSpec("y", "probabilities"), TensorSpec("m_sum", "mantissa sum M per row"),
                TensorSpec("n_sum", "exponent N per row: Σ e^{x/T} = M·2^N"),
            ],
            isExact: true, citation: dukhan, implementation: TwoPassMethod(),
            normalizer: { ExactSoftmaxNormalizer(TemperatureParameters($0).exact(.twoPass), output: .probabilities) },
            alias: MethodAlias(of: "softmax", ["algorithm": .string(SoftmaxAlgorithm.twoPass.rawValue)], isBitIdentical: true)),
        MethodDescriptor(
            id: "online-softmax", role: .normalizer,
            summary: "online softmax: running maximum and rescaled sum in one pass, then the write pass",
            parameters: TemperatureParameters.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")],
            outputs: [TensorSpec("y", "probabilities"), TensorSpec("m", "max of x/T per row"), TensorSpec("d", "Σ e^{x/T − m} per row")],
            isExact: true, citation: milakov, implementation: OnlineMethod(),
            normalizer: { ExactSoftmaxNormalizer(TemperatureParameters($0).exact(.online), output: .probabilities) },
            alias: MethodAlias(of: "softmax", ["algorithm": .string(SoftmaxAlgorithm.online.rawValue)], isBitIdentical: true)),
        MethodDescriptor(
            id: "merge-softmax-states", role: .primitive,
            summary: "(m,d) ⊕ (m',d') = (M, d·e^{m−M} + d'·e^{m'−M}), M = max(m, m'); element-wise",
            inputs: [TensorSpec("m1", "maxima"), TensorSpec("d1", "sums"), TensorSpec("m2", "maxima"), TensorSpec("d2", "sums")],
            outputs: [TensorSpec("m", "merged maxima"), TensorSpec("d", "merged sums")],
            isExact: true, citation: milakov, implementation: MergeStatesMethod()),
        MethodDescriptor(
            id: "ext-exp", role: .primitive,
            summary: "extended exponential e^x = m·2^n, n = rne(x·log2 e), m ∈ [2^-1/2, 2^1/2]; element-wise",
            inputs: [TensorSpec("x", "arguments, |x| < 2.9e6 (float32)")],
            outputs: [TensorSpec("m", "mantissas"), TensorSpec("n", "integral exponents")],
            isExact: true, citation: dukhan, implementation: ExtendedExpMethod()),
    ]
}

/// The temperature, alone: the two-pass and online softmax ids (their algorithm is their id).
struct TemperatureParameters: MethodParameters {
    var temperature = 1.0

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("temperature", \.temperature, "T: computes on x/T; finite and > 0", range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude)
    ]

    /// The exact kernels' options with `algorithm`.
    func exact(_ algorithm: SoftmaxAlgorithm) -> ExactSoftmaxParameters {
        var p = ExactSoftmaxParameters()
        p.temperature = temperature
        p.algorithm = algorithm
        return p
    }
}

/// The exact kernels' parameters: log-softmax, logsumexp, masked softmax.
struct ExactSoftmaxParameters: MethodParameters {
    /// Nil: `SoftmaxAlgorithm.automatic`.
    var algorithm: SoftmaxAlgorithm?
    var temperature = 1.0
    /// Nil: `SoftmaxSchedule.plan(for:)`'s choice.
    var schedule: SoftmaxSchedule?
    /// Nil: `SoftmaxSchedule.streams(_:_:threads:_:)`'s choice.
    var stores: OutputStores?

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalChoice(
            "algorithm", \.algorithm, "the exact algorithm, or auto (three-pass-reload: the fastest measured at every shape)",
            none: "auto"),
        .number("temperature", \.temperature, "T: computes on x/T; finite and > 0", range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude),
        .optionalChoice(
            "schedule", \.schedule,
            "how a batch is walked (the same bits, only the speed differs), or auto; forcing one is for tests and benchmarks",
            none: "auto"),
        .optionalChoice("stores", \.stores, OutputStores.summary, none: "auto"),
    ]

    var options: SoftmaxOptions {
        SoftmaxOptions(algorithm: algorithm, temperature: temperature, streamingStores: stores.map { $0 == .streaming }, schedule: schedule)
    }
}

/// How the exact kernels write their output (`SoftmaxOptions.streamingStores`).
enum OutputStores: String, CaseIterable, Sendable {
    case plain, streaming

    static let summary =
        "how the output is written: plain, streaming (non-temporal stores), or auto (streaming past the last-level cache where measured faster); the same bits"
}

/// `softmax`'s parameters: the exact kernels', and the exponential.
struct SoftmaxParameters: MethodParameters {
    var exact = ExactSoftmaxParameters()
    var exp = ExponentialChoice.exact
    var expIterations = 5

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalChoice(
            "algorithm", \.exact.algorithm, "the exact algorithm, or auto (three-pass-reload: the fastest measured at every shape)",
            none: "auto"),
        .number(
            "temperature", \.exact.temperature, "T: computes on x/T; finite and > 0",
            range: Double.leastNormalMagnitude...Double.greatestFiniteMagnitude),
        .optionalChoice(
            "schedule", \.exact.schedule,
            "how a batch is walked (the same bits, only the speed differs), or auto; forcing one is for tests and benchmarks",
            none: "auto"),
        .optionalChoice("stores", \.exact.stores, OutputStores.summary, none: "auto"),
        .choice(
            "exp", \.exp,
            "the exponential: exact, schraudolph, poly1…poly4 (degree-d polynomial), base2 (2^x: base-2 softmax), limit ((1 + x/2^n)^(2^n)); non-exact ones run three-pass-reload"
        ),
        .integer("exp_iters", \.expIterations, "n of exp=limit", range: 0...30),
    ]
}

/// `softmax`'s normalizer: the exact kernels, or three-pass softmax with the `exp` chosen.
@Sendable
func softmaxNormalizer(_ values: ParameterValues) throws -> any Normalizer {
    let p = SoftmaxParameters(values)
    let variant = ExponentialVariant(p.exp, iterations: p.expIterations)
    if variant == .exact { return ExactSoftmaxNormalizer(p.exact, output: .probabilities) }
    guard p.exact.algorithm == nil || p.exact.algorithm == .threePassReload else {
        throw RegistryError.invalidParameter(
            method: "softmax", name: "algorithm", value: p.exact.algorithm!.rawValue,
            reason: "exp=\(p.exp.rawValue) runs three-pass-reload only; drop algorithm or use exp=exact")
    }
    guard p.exact.schedule == nil else {
        throw RegistryError.invalidParameter(
            method: "softmax", name: "schedule", value: p.exact.schedule!.rawValue,
            reason: "exp=\(p.exp.rawValue) runs row by row; drop schedule or use exp=exact")
    }
    guard p.exact.stores == nil else {
        throw RegistryError.invalidParameter(
            method: "softmax", name: "stores", value: p.exact.stores!.rawValue,
            reason: "exp=\(p.exp.rawValue) writes with plain stores; drop stores or use exp=exact")
    }
    return RowKernelNormalizer(ApproximateExpSoftmaxKernel(variant, temperature: p.exact.temperature))
}

/// The exact kernels as a `Normalizer`.
struct ExactSoftmaxNormalizer: ScheduledNormalizer {
    let options: SoftmaxOptions
    let output: RowOutput

    init(_ parameters: ExactSoftmaxParameters, output: RowOutput) {
        self.options = parameters.options
        self.output = output
    }

    func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try apply(x, y, mask, threads)
    }
    func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try apply(x, y, mask, threads)
    }

    func schedule(rows: Int, cols: Int, threads: Int?) throws -> SoftmaxSchedule.Plan {
        var options = options
        options.threads = threads
        return try ExactSoftmax.plan(
            rows: rows, cols: cols, as: Float.self,
            output: output == .logProbabilities ? .logProbabilities : .probabilities, options: options)
    }

    private func apply<T: KernelScalar>(_ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ mask: RowBatch<Bool>?, _ threads: Int?) throws {
        var options = options
        options.threads = threads
        if output == .logProbabilities {
            try ExactSoftmax.logSoftmax(x, into: y, mask: mask, options: options)
        } else {
            try ExactSoftmax.softmax(x, into: y, mask: mask, options: options)
        }
    }
}

/// Along a non-last axis the exact three-pass algorithm runs as `ColumnSoftmax` (the automatic
/// algorithm is three-pass-reload; a forced `schedule` concerns how rows are walked and has no
/// column counterpart). Other algorithms move the axis last.
extension ExactSoftmaxNormalizer: ColumnNormalizer {
    var runsAlongColumns: Bool { options.algorithm == nil || options.algorithm == .threePassReload }

    func normalizeColumns(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, block: AxisBlock, threads: Int?) throws {
        try columns(x, y, block, threads)
    }
    func normalizeColumns(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, block: AxisBlock, threads: Int?) throws {
        try columns(x, y, block, threads)
    }

    private func columns<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ block: AxisBlock, _ threads: Int?) throws {
        var options = SoftmaxOptions(temperature: options.temperature)
        options.threads = threads
        try ColumnSoftmax.run(
            x, into: y, outer: block.outer, count: block.count, inner: block.inner, log: output == .logProbabilities, options: options)
    }
}

/// Runs `body` on the input `x` as a row batch and a same-shaped output.
func withRows<T: KernelScalar, R>(
    _ x: [T], _ layout: RowLayout, _ body: (RowBatch<T>) throws -> R
) rethrows -> R {
    try x.withUnsafeBufferPointer { try body(RowBatch($0, rows: layout.rows, cols: layout.cols)) }
}

/// `mask` as a row batch checked against the shape of `x`, or nil.
func withMask<R>(_ invocation: MethodInvocation, shape: [Int], _ layout: RowLayout, _ body: (RowBatch<Bool>?) throws -> R) throws -> R {
    guard let (mask, maskShape) = try invocation.booleans("mask") else { return try body(nil) }
    guard maskShape == shape else {
        throw TensorError.shapeMismatch(
            tensor: "mask", shape: Tensor.describe(shape: maskShape),
            expected: "the shape of x, \(Tensor.describe(shape: shape))")
    }
    return try mask.withUnsafeBufferPointer { try body(RowBatch($0, rows: layout.rows, cols: layout.cols)) }
}

struct LogSumExpMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        let layout = RowLayout(shape: shape)
        var lse = [T](repeating: 0, count: layout.rows)
        try withRows(x, layout) { xb in
            try lse.withUnsafeMutableBufferPointer { try ExactSoftmax.logSumExp(xb, into: $0, options: ExactSoftmaxParameters(invocation.parameters).options) }
        }
        return ["y": .of(lse, shape: layout.perRowShape)]
    }
}

/// Softmax rows plus one state per row (two-pass `(M, N)`, online `(m, d)`): the shared plumbing.
func softmaxWithRowStates<T: KernelScalar, State>(
    _ invocation: MethodInvocation, as: T.Type, initial: State,
    _ kernel: (RowBatch<T>, MutableRowBatch<T>, UnsafeMutableBufferPointer<State>) throws -> Void
) throws -> (y: Tensor, states: [State], perRowShape: [Int]) {
    let (x, shape) = try invocation.real("x", as: T.self)
    let layout = RowLayout(shape: shape)
    var y = [T](repeating: 0, count: x.count)
    var states = [State](repeating: initial, count: layout.rows)
    try withRows(x, layout) { xb in
        try y.withUnsafeMutableBufferPointer { yb in
            try states.withUnsafeMutableBufferPointer { try kernel(xb, MutableRowBatch(yb, rows: layout.rows, cols: layout.cols), $0) }
        }
    }
    return (.of(y, shape: shape), states, layout.perRowShape)
}

struct TwoPassMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let options = TemperatureParameters(invocation.parameters).exact(.twoPass).options
        let (y, sums, rowShape) = try softmaxWithRowStates(invocation, as: T.self, initial: ExtendedSum()) {
            try ExactSoftmax.twoPassSoftmax($0, into: $1, sums: $2, options: options)
        }
        return [
            "y": y, "m_sum": .of(sums.map { T($0.mantissaSum) }, shape: rowShape),
            "n_sum": .of(sums.map { T($0.exponentSum) }, shape: rowShape),
        ]
    }
}

struct OnlineMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let options = TemperatureParameters(invocation.parameters).exact(.online).options
        let (y, states, rowShape) = try softmaxWithRowStates(invocation, as: T.self, initial: SoftmaxState()) {
            try ExactSoftmax.onlineSoftmax($0, into: $1, states: $2, options: options)
        }
        return [
            "y": y, "m": .of(states.map { T($0.maximum) }, shape: rowShape),
            "d": .of(states.map { T($0.sum) }, shape: rowShape),
        ]
    }
}

struct MergeStatesMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (m1, shape) = try invocation.real("m1", as: T.self)
        var parts = [m1]
        for name in ["d1", "m2", "d2"] {
            let (values, s) = try invocation.real(name, as: T.self)
            guard s == shape else {
                throw TensorError.shapeMismatch(
                    tensor: name, shape: Tensor.describe(shape: s),
                    expected: "the shape of m1, \(Tensor.describe(shape: shape))")
            }
            parts.append(values)
        }
        var m = [T](), d = [T]()
        m.reserveCapacity(m1.count)
        d.reserveCapacity(m1.count)
        for i in 0..<m1.count {
            let merged = SoftmaxState(maximum: Double(parts[0][i]), sum: Double(parts[1][i]))
                .merged(with: SoftmaxState(maximum: Double(parts[2][i]), sum: Double(parts[3][i])))
            m.append(T(merged.maximum))
            d.append(T(merged.sum))
        }
        return ["m": .of(m, shape: shape), "d": .of(d, shape: shape)]
    }
}

struct ExtendedExpMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        var m = [T](repeating: 0, count: x.count), n = m
        x.withUnsafeBufferPointer { xb in
            m.withUnsafeMutableBufferPointer { mb in n.withUnsafeMutableBufferPointer { VectorMath.extendedExp(xb, mantissa: mb, exponent: $0) } }
        }
        return ["m": .of(m, shape: shape), "n": .of(n, shape: shape)]
    }
}
