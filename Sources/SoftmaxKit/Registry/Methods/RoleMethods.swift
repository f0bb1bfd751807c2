/// The `call` plumbing shared by every normalizer and activation: read `x` (and `mask` where the
/// method declares it), apply the role protocol, return `y` of the same shape.
struct NormalizerMethod: MethodImplementation {
    let make: @Sendable (ParameterValues) throws -> any Normalizer

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        let layout = RowLayout(shape: shape)
        let normalizer = try make(invocation.parameters)
        var y = [T](repeating: 0, count: x.count)
        if let axis = invocation.columnAxis {
            let block = AxisBlock(shape: shape, axis: axis)
            guard let columns = normalizer.columns(for: block, masked: invocation.inputs["mask"] != nil) else {
                throw RegistryError.invalidParameter(
                    method: invocation.method, name: "axis", value: "\(axis)",
                    reason: "this configuration does not run along columns in place; call it through MethodRegistry.call, which moves the axis last")
            }
            try x.withUnsafeBufferPointer { xb in
                try y.withUnsafeMutableBufferPointer { yb in
                    guard let xp = xb.baseAddress, let yp = yb.baseAddress else { return }
                    try columns.normalizeColumns(xp, into: yp, block: block, threads: nil)
                }
            }
            return ["y": .of(y, shape: shape)]
        }
        try withMask(invocation, shape: shape, layout) { mask in
            try withRows(x, layout) { xb in
                try y.withUnsafeMutableBufferPointer { yb in
                    try normalizer.normalize(xb, into: MutableRowBatch(yb, rows: layout.rows, cols: layout.cols), mask: mask, threads: nil)
                }
            }
        }
        return ["y": .of(y, shape: shape)]
    }
}

struct ActivationMethod: MethodImplementation {
    let make: @Sendable (ParameterValues) throws -> any Activation
    var output = "y"

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (x, shape) = try invocation.real("x", as: T.self)
        let layout = RowLayout(shape: shape)
        let activation = try make(invocation.parameters)
        var y = [T](repeating: 0, count: x.count)
        try withRows(x, layout) { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try activation.activate(xb, into: MutableRowBatch(yb, rows: layout.rows, cols: layout.cols), threads: nil)
            }
        }
        return [output: .of(y, shape: shape)]
    }
}

extension MethodDescriptor {
    /// A normalizer entry: `x → y` rows, compared with softmax; `make` builds the normalizer from
    /// the typed parameters `P` (the registry validates them first). The `call` plumbing, the lab,
    /// the tests and the command line come with it.
    public static func normalizer<P: MethodParameters>(
        _ id: String, summary: String, parameters: P.Type, isExact: Bool = false, citation: String,
        logProbabilities: Bool = false, selection: Bool = false, isReplacement: Bool = false, accuracy: AccuracyBudget? = nil,
        alias: MethodAlias? = nil, make typed: @escaping @Sendable (P) throws -> any Normalizer
    ) -> MethodDescriptor {
        let make: @Sendable (ParameterValues) throws -> any Normalizer = { try typed(P($0)) }
        return MethodDescriptor(
            id: id, role: .normalizer, summary: summary, parameters: P.specs,
            inputs: [TensorSpec("x", "scores, rows × cols")],
            outputs: [TensorSpec("y", logProbabilities ? "log-weights, same shape" : selection ? "0/1 selection, same shape" : "weights, same shape")],
            isExact: isExact, citation: citation, implementation: NormalizerMethod(make: make), normalizer: make,
            outputScale: logProbabilities ? .logProbability : selection ? .selection : .probability, isReplacement: isReplacement, accuracy: accuracy,
            alias: alias)
    }

    /// An activation entry: `x → y` element-wise (or row-wise), compared with `reference`.
    public static func activation<P: MethodParameters>(
        _ id: String, summary: String, parameters: P.Type, isExact: Bool = false, citation: String,
        reference: ReferenceFunction, isReplacement: Bool = false, accuracy: AccuracyBudget? = nil,
        make typed: @escaping @Sendable (P) throws -> any Activation
    ) -> MethodDescriptor {
        let make: @Sendable (ParameterValues) throws -> any Activation = { try typed(P($0)) }
        return MethodDescriptor(
            id: id, role: .activation, summary: summary, parameters: P.specs,
            inputs: [TensorSpec("x", "any shape up to 2-d")], outputs: [TensorSpec("y", "same shape")],
            isExact: isExact, citation: citation, implementation: ActivationMethod(make: make),
            activation: make, reference: reference, isReplacement: isReplacement, accuracy: accuracy)
    }

    /// An element-wise building block (`x → output`); the lab compares it with `reference` when given.
    static func elementwise<P: MethodParameters>(
        _ id: String, summary: String, parameters: P.Type, output: String = "y", isExact: Bool = false,
        citation: String, reference: ReferenceFunction? = nil,
        make typed: @escaping @Sendable (P) throws -> any Activation
    ) -> MethodDescriptor {
        let make: @Sendable (ParameterValues) throws -> any Activation = { try typed(P($0)) }
        return MethodDescriptor(
            id: id, role: .primitive, summary: summary, parameters: P.specs,
            inputs: [TensorSpec("x", "any shape up to 2-d")], outputs: [TensorSpec(output, "same shape")],
            isExact: isExact, citation: citation, implementation: ActivationMethod(make: make, output: output),
            activation: make, reference: reference)
    }

    /// A normalizer entry without parameters.
    public static func normalizer(
        _ id: String, summary: String, isExact: Bool = false, citation: String, logProbabilities: Bool = false, isReplacement: Bool = false,
        accuracy: AccuracyBudget? = nil, alias: MethodAlias? = nil, make: @escaping @Sendable (NoParameters) throws -> any Normalizer
    ) -> MethodDescriptor {
        normalizer(
            id, summary: summary, parameters: NoParameters.self, isExact: isExact, citation: citation,
            logProbabilities: logProbabilities, isReplacement: isReplacement, accuracy: accuracy, alias: alias, make: make)
    }

    /// An activation entry without parameters.
    public static func activation(
        _ id: String, summary: String, isExact: Bool = false, citation: String, reference: ReferenceFunction, isReplacement: Bool = false,
        accuracy: AccuracyBudget? = nil, make: @escaping @Sendable (NoParameters) throws -> any Activation
    ) -> MethodDescriptor {
        activation(
            id, summary: summary, parameters: NoParameters.self, isExact: isExact, citation: citation, reference: reference,
            isReplacement: isReplacement, accuracy: accuracy, make: make)
    }

    /// An element-wise building block without parameters.
    static func elementwise(
        _ id: String, summary: String, output: String = "y", isExact: Bool = false, citation: String, reference: ReferenceFunction? = nil,
        make: @escaping @Sendable (NoParameters) throws -> any Activation
    ) -> MethodDescriptor {
        elementwise(
            id, summary: summary, parameters: NoParameters.self, output: output, isExact: isExact, citation: citation,
            reference: reference, make: make)
    }
}
