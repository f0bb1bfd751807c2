/// Registry entries for I-BERT's integer kernels and their float forms.
enum IBertMethods {
    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "ibert-exp-int", role: .primitive, summary: "I-BERT i-exp on integers q ≤ 0 (x = q·S): e^x ≈ e·S_e",
            parameters: IBertExpParameters.specs,
            inputs: [TensorSpec("q", .index, "integers ≤ 0")],
            outputs: [TensorSpec("e", "integers (int64)"), TensorSpec("S_e", "output scale a·S²/2³⁰ (0-d, float64)")],
            isExact: false, citation: Citation.ibert, implementation: IBertExpMethod()),
        MethodDescriptor(
            id: "ibert-softmax-int", role: .normalizer,
            summary: "I-BERT integer softmax: i-exp, 16-bit requantisation, integer reciprocal; probabilities out/2^m",
            parameters: IBertSoftmaxParameters.specs,
            inputs: [TensorSpec("q", .index, "integer scores, rows × cols")],
            outputs: [TensorSpec("out_int", "integers (int64)"), TensorSpec("probs", "out_int/2^m")],
            isExact: false, citation: Citation.ibert, implementation: IBertSoftmaxMethod(),
            normalizer: { IBertSoftmaxNormalizer(IBertSoftmaxParameters($0)) },
            // At the default 8 output bits; rows wider than 256 floor every entry to 0 (TV 0.5).
            accuracy: .quantized(step: 0x1p-8, within: 0.5)),
        MethodDescriptor(
            id: "ibert-gelu-int", role: .activation, summary: "I-BERT integer GELU (x = q·S): GELU ≈ y·S_y",
            parameters: IBertGELUParameters.specs,
            inputs: [TensorSpec("q", .index, "integers")],
            outputs: [TensorSpec("y", "integers (int64)"), TensorSpec("S_y", "output scale S·S_L/2 (0-d, float64, negative)")],
            isExact: false, citation: Citation.ibert, implementation: IBertGELUMethod(),
            activation: { IBertGELUActivation(scale: IBertGELUParameters($0).scale) }, reference: .gelu, accuracy: .within(8e-2)),
        .elementwise(
            "ibert-exp-poly-float", summary: "I-BERT's exp polynomial in floating point: L(r)·2^{−z}, x = −z·ln2 + r",
            parameters: IBertExpFloatParameters.self, citation: Citation.ibert, reference: .exp,
            make: { p in ElementwiseActivation(IBertExpFloat(coefficients: p.coefficients)) }),
    ]
}

/// The input scale `S` of I-BERT's integer kernels (`x = q·S`).
private let scaleRange = IBertInteger.minimumScale...1

/// `ibert-exp-int`'s parameters.
struct IBertExpParameters: MethodParameters {
    var scale = 0x1p-6
    static let declarations: [ParameterDeclaration<Self>] = [.number("S", \.scale, "input scale S (≥ 2⁻¹⁴)", range: scaleRange)]
}

/// `ibert-softmax-int`'s parameters.
struct IBertSoftmaxParameters: MethodParameters {
    var scale = 0x1p-6
    var outputBits = 8
    var requantBits = 16

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("S", \.scale, "input scale S (≥ 2⁻¹⁴); the lab quantises x as rne(x/S)", range: scaleRange),
        .integer("output_bit", \.outputBits, "m: output bits", range: 1...16),
        .integer("requant_bits", \.requantBits, "bits of the requantised exponentials", range: 2...16),
    ]
}

/// `ibert-gelu-int`'s parameters.
struct IBertGELUParameters: MethodParameters {
    var scale = 0x1p-10
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("S", \.scale, "input scale S (≥ 2⁻¹⁴; ≲ 2⁻¹⁰ keeps precision); the lab quantises x as rne(x/S)", range: scaleRange)
    ]
}

/// `ibert-exp-poly-float`'s parameters.
struct IBertExpFloatParameters: MethodParameters {
    var coefficients = IBertFloat.Coefficients.code
    static let declarations: [ParameterDeclaration<Self>] = [
        .choice("coef", \.coefficients, "code (a r² + b r + c) or paper (0.3585(r + 1.353)² + 0.344)")
    ]
}

struct IBertExpFloat: ElementwiseFunction {
    let coefficients: IBertFloat.Coefficients
    func callAsFunction(_ x: Float) -> Float { IBertFloat.exp(x, coefficients: coefficients) }
    func callAsFunction(_ x: Double) -> Double { IBertFloat.exp(x, coefficients: coefficients) }
}

/// Integer inputs that must fit the kernels' Int64 arithmetic.
func integerInput(_ invocation: MethodInvocation, _ name: String, limit: Int64) throws -> (values: [Int64], shape: [Int]) {
    guard let t = invocation.inputs[name] else { throw RegistryError.missingInput(method: invocation.method, name: name) }
    let values = try t.indices(name: name).map(Int64.init)
    if let bad = values.first(where: { $0.magnitude > limit }) {
        throw RegistryError.invalidParameter(
            method: invocation.method, name: name, value: "\(bad)",
            reason: "integer inputs must lie in ±\(limit)")
    }
    return (values, t.shape)
}

struct IBertExpMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, shape) = try integerInput(invocation, "q", limit: 1 << 40)
        if let bad = q.first(where: { $0 > 0 }) {
            throw RegistryError.invalidParameter(method: invocation.method, name: "q", value: "\(bad)", reason: "i-exp takes q ≤ 0")
        }
        let k = IBertInteger.ExpConstants(scale: IBertExpParameters(invocation.parameters).scale)
        return [
            "e": Tensor(shape: shape, storage: .int64(q.map { IBertInteger.exp($0, k) })),
            "S_e": Tensor(shape: [], [k.outputScale]),
        ]
    }
}

struct IBertSoftmaxMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, shape) = try integerInput(invocation, "q", limit: 1 << 40)
        let layout = RowLayout(shape: shape)
        let p = IBertSoftmaxParameters(invocation.parameters)
        var out = [Int64](repeating: 0, count: q.count)
        q.withUnsafeBufferPointer { qb in
            out.withUnsafeMutableBufferPointer { ob in
                for r in 0..<layout.rows {
                    IBertInteger.softmaxRow(
                        qb.baseAddress! + r * layout.cols, count: layout.cols, skip: nil, scale: p.scale,
                        outputBits: p.outputBits, requantBits: p.requantBits,
                        into: ob.baseAddress! + r * layout.cols)
                }
            }
        }
        let unit = 1 / Double(1 << p.outputBits)
        return ["out_int": Tensor(shape: shape, storage: .int64(out)), "probs": .of(out.map { T(Double($0) * unit) }, shape: shape)]
    }
}

struct IBertGELUMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, shape) = try integerInput(invocation, "q", limit: 1 << 24)
        let k = IBertInteger.GELUConstants(scale: IBertGELUParameters(invocation.parameters).scale)
        return ["y": Tensor(shape: shape, storage: .int64(q.map { IBertInteger.gelu($0, k) })), "S_y": Tensor(shape: [], [k.outputScale])]
    }
}

/// I-BERT's integer softmax as a normalizer of real scores: `q = rne(x/S)` (clamped to ±2⁴⁰),
/// integer softmax, `out/2^m`. `−∞` (masked) positions get 0; the edge contract's rows are handled by the
/// shared contract.
struct IBertSoftmaxNormalizer: Normalizer, RowKernel {
    let scale: Double, outputBits: Int, requantBits: Int
    var scratchPerElement: Int { 3 }

    init(_ p: IBertSoftmaxParameters) {
        scale = p.scale
        outputBits = p.outputBits
        requantBits = p.requantBits
    }

    func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try RowKernelNormalizer(self).normalize(x, into: y, mask: mask, threads: threads)
    }
    func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try RowKernelNormalizer(self).normalize(x, into: y, mask: mask, threads: threads)
    }
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, n, scratch)
    }
    func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        row(x, y, n, scratch)
    }

    @inline(__always)
    private func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ scratch: UnsafeMutablePointer<Double>) {
        // The scratch holds n Int64 inputs, n Int64 outputs, then n skip flags.
        let raw = UnsafeMutableRawPointer(scratch)
        let q = raw.bindMemory(to: Int64.self, capacity: 2 * n), out = q + n
        let skip = (raw + 16 * n).bindMemory(to: Bool.self, capacity: n)
        let limit = Double(1 << 40)
        for i in 0..<n {
            skip[i] = x[i] == -.infinity
            q[i] = skip[i] ? 0 : Int64(IBertInteger.roundedToNearestEven(min(max(Double(x[i]) / scale, -limit), limit)))
        }
        IBertInteger.softmaxRow(q, count: n, skip: skip, scale: scale, outputBits: outputBits, requantBits: requantBits, into: out)
        let unit = 1 / Double(1 << outputBits)
        for i in 0..<n { y[i] = T(Double(out[i]) * unit) }
    }
}

/// I-BERT's integer GELU as an activation of real inputs: `q = rne(x/S)`, `y·S_y`. Inputs beyond
/// ±2²⁴·S are clamped there (the integer kernel's range); ±∞ and NaN follow GELU (+∞, 0, NaN).
struct IBertGELUActivation: Activation {
    let scale: Double

    func activate(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, threads: Int?) throws {
        try ElementwiseActivation(IBertGELUFunction(constants: .init(scale: scale), scale: scale)).activate(x, into: y, threads: threads)
    }
    func activate(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, threads: Int?) throws {
        try ElementwiseActivation(IBertGELUFunction(constants: .init(scale: scale), scale: scale)).activate(x, into: y, threads: threads)
    }
}

struct IBertGELUFunction: ElementwiseFunction {
    let constants: IBertInteger.GELUConstants
    let scale: Double

    func callAsFunction(_ x: Float) -> Float { Float(evaluate(Double(x))) }
    func callAsFunction(_ x: Double) -> Double { evaluate(x) }

    func evaluate(_ x: Double) -> Double {
        if x.isNaN || x == .infinity { return x }
        if x == -.infinity { return 0 }
        let limit = Double(1 << 24)
        let q = Int64(IBertInteger.roundedToNearestEven(min(max(x / scale, -limit), limit)))
        return Double(IBertInteger.gelu(q, constants)) * constants.outputScale
    }
}
