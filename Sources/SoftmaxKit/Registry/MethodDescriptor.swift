/// The exact functions approximations are measured against.
public enum ReferenceFunction: String, Sendable, Codable, CaseIterable {
    case softmax, logSoftmax = "log-softmax", gelu, silu, exp
}

/// The precision a method computes in.
public enum Precision: String, CaseIterable, Sendable, Codable {
    case float32, float64
}

/// One call of a registered method: validated parameters, inputs by name, precision.
public struct MethodInvocation: Sendable {
    /// The id of the method called.
    public let method: String
    /// The tensors given, by the names the method declares.
    public let inputs: [String: Tensor]
    /// The parameters, validated, with defaults filled in; read them as the method's `MethodParameters` struct.
    public let parameters: ParameterValues
    /// The precision the method computes in.
    public let precision: Precision
    /// Whether float inputs of another width may be rounded to `precision` (an explicit choice).
    public let allowRounding: Bool
    /// A normalizer's row axis when it runs along columns in place (`ColumnNormalizer`): the
    /// inputs keep their shape. Nil: the rows run along the last axis.
    public let columnAxis: Int?

    /// A call as `MethodRegistry.call` makes it.
    public init(
        method: String, inputs: [String: Tensor], parameters: ParameterValues, precision: Precision, allowRounding: Bool, columnAxis: Int? = nil
    ) {
        self.method = method
        self.inputs = inputs
        self.parameters = parameters
        self.precision = precision
        self.allowRounding = allowRounding
        self.columnAxis = columnAxis
    }

    /// The same call with other inputs.
    public func with(inputs: [String: Tensor]) -> MethodInvocation {
        MethodInvocation(
            method: method, inputs: inputs, parameters: parameters, precision: precision, allowRounding: allowRounding, columnAxis: columnAxis)
    }

    /// The input `name` as values of `T` (converted where exact; rounded only when allowed).
    public func real<T: KernelScalar>(_ name: String, as: T.Type) throws -> (values: [T], shape: [Int]) {
        guard let t = inputs[name] else { throw RegistryError.missingInput(method: method, name: name) }
        return (try t.floatingPoint(as: T.self, name: name, rounding: allowRounding), t.shape)
    }

    /// The input `name` as booleans, or nil when the optional input is absent.
    public func booleans(_ name: String) throws -> (values: [Bool], shape: [Int])? {
        guard let t = inputs[name] else { return nil }
        return (try t.booleans(name: name), t.shape)
    }
}

/// The computation behind a registered method, for either precision.
public protocol MethodImplementation: Sendable {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor]
}

/// A registry entry: a stable id and everything needed to list, validate and call the method.
public struct MethodDescriptor: Sendable {
    /// Lowercase and hyphenated (`two-pass-softmax`): the reference function's name with `_` written as `-`.
    public let id: String
    /// Which role protocol the method plays (its call shape).
    public let role: MethodRole
    /// One line: what the method computes, with its formula.
    public let summary: String
    /// The parameters it accepts, derived from its `MethodParameters` struct.
    public let parameters: [ParameterSpec]
    /// The tensors `call` takes, by name.
    public let inputs: [TensorSpec]
    /// The tensors `call` returns, by name.
    public let outputs: [TensorSpec]
    /// Exact methods agree with the float64 reference to rounding; approximate ones do not.
    public let isExact: Bool
    /// The paper (or code) the method follows, as a reference line.
    public let citation: String
    /// What `MethodRegistry.call` runs.
    public let implementation: any MethodImplementation
    /// For normalizers: the method as a `Normalizer` with the given parameters.
    public let normalizer: (@Sendable (ParameterValues) throws -> any Normalizer)?
    /// For normalizers: whether rows come out as probabilities or as log-probabilities (what the
    /// lab compares them with).
    public let outputScale: OutputScale

    /// Probabilities, log-probabilities, or a selection: 0/1 rows that keep some entries (BiViT's
    /// binarization), which the lab compares with softmax after dividing each row by its sum.
    public enum OutputScale: String, Sendable, Codable { case probability, logProbability, selection }

    /// For activations: the method as an `Activation` with the given parameters.
    public let activation: (@Sendable (ParameterValues) throws -> any Activation)?
    /// For gates: the method as a `Gate` with the given parameters.
    public let gate: (@Sendable (ParameterValues) throws -> any Gate)?
    /// For losses over index targets: the method as a `ClassificationLoss` with the given parameters.
    public let loss: (@Sendable (ParameterValues) throws -> any ClassificationLoss)?
    /// For samplers: the method as a `Sampler` with the given parameters.
    public let sampler: (@Sendable (ParameterValues) throws -> any Sampler)?
    /// The exact function the lab measures this method against (softmax for every normalizer,
    /// log-softmax for log-probability outputs, GELU or SiLU for activations).
    public let reference: ReferenceFunction?
    /// True for replacements that are not meant to equal `reference` (StableMax, sparsemax,
    /// PolyReLU, ...): the lab reports their distance from it, not an error.
    public let isReplacement: Bool
    /// For normalizers and activations: how close the method stays to `reference` (enforced by
    /// the registry-wide tests). Nil for methods without a reference.
    public let accuracy: AccuracyBudget?
    /// For an id that names a variant of another method: which one.
    public let alias: MethodAlias?

    /// An entry; `reference` defaults to softmax (log-softmax) for normalizers, `accuracy` to
    /// `.replacement` for replacements and `.exact` for exact methods with a reference.
    public init(
        id: String, role: MethodRole, summary: String, parameters: [ParameterSpec] = [],
        inputs: [TensorSpec], outputs: [TensorSpec], isExact: Bool, citation: String,
        implementation: any MethodImplementation,
        normalizer: (@Sendable (ParameterValues) throws -> any Normalizer)? = nil,
        outputScale: OutputScale = .probability,
        activation: (@Sendable (ParameterValues) throws -> any Activation)? = nil,
        gate: (@Sendable (ParameterValues) throws -> any Gate)? = nil,
        loss: (@Sendable (ParameterValues) throws -> any ClassificationLoss)? = nil,
        sampler: (@Sendable (ParameterValues) throws -> any Sampler)? = nil,
        reference: ReferenceFunction? = nil, isReplacement: Bool = false, accuracy: AccuracyBudget? = nil,
        alias: MethodAlias? = nil, axisInputs: [String]? = nil
    ) {
        self.id = id
        self.role = role
        self.summary = summary
        let takesAxis = role == .normalizer || role == .reduction || axisInputs != nil
        self.parameters = takesAxis && !parameters.contains { $0.name == "axis" } ? parameters + [.axis] : parameters
        self.axisInputs = takesAxis ? axisInputs ?? inputs.map(\.name) : []
        self.inputs = inputs
        self.outputs = outputs
        self.isExact = isExact
        self.citation = citation
        self.implementation = implementation
        self.normalizer = normalizer
        self.outputScale = outputScale
        self.activation = activation
        self.gate = gate
        self.loss = loss
        self.sampler = sampler
        self.reference = reference ?? (normalizer == nil ? nil : outputScale == .logProbability ? .logSoftmax : .softmax)
        self.isReplacement = isReplacement
        self.accuracy = accuracy ?? (isReplacement ? .replacement : isExact && self.reference != nil ? .exact : nil)
        self.alias = alias
    }

    /// The same entry with another implementation (wrappers such as per-head attention).
    public func with(implementation: any MethodImplementation) -> MethodDescriptor {
        MethodDescriptor(
            id: id, role: role, summary: summary, parameters: parameters, inputs: inputs, outputs: outputs, isExact: isExact,
            citation: citation, implementation: implementation, normalizer: normalizer, outputScale: outputScale,
            activation: activation, gate: gate, loss: loss, sampler: sampler, reference: reference,
            isReplacement: isReplacement, accuracy: accuracy, alias: alias, axisInputs: axisInputs)
    }

    /// The inputs that carry the row axis, which the `axis` parameter picks: by default every input
    /// of a normalizer (scores and keep-mask) and of a reduction; for a loss or sampler, the ones
    /// it names (its scores, and a target distribution of their shape); none otherwise (gates,
    /// whose experts come from a product with their weights). Per-row inputs (labels, SDM's `q`,
    /// `d`, a row's temperature) are left out: their shape is the scores' without the axis, in
    /// order, whichever axis it is. Outputs of the scores' rank get the axis moved back.
    public let axisInputs: [String]

    /// Applies defaults and validates the given parameter values.
    public func resolve(_ given: [String: ParameterValue]) throws -> ParameterValues {
        var values: [String: ParameterValue] = [:]
        for (name, value) in given {
            guard let spec = parameters.first(where: { $0.name == name }) else {
                throw RegistryError.unknownParameter(method: id, name: name, known: parameters.map(\.name))
            }
            values[name] = try spec.validate(value, method: id)
        }
        for spec in parameters where values[spec.name] == nil { values[spec.name] = spec.defaultValue }
        return ParameterValues(values)
    }
}
