/// Every method SoftmaxKit provides, by stable id. Tests, benchmarks, the command line and the
/// report iterate it, so adding a method is one file plus one line in `standard`.
public struct MethodRegistry: Sendable {
    /// Every entry, in registration order.
    public let methods: [MethodDescriptor]

    /// A registry of `methods`, whose ids must be unique — `MethodRegistry.standard.methods + [mine]`
    /// for a registry with methods of your own.
    public init(_ methods: [MethodDescriptor]) {
        var seen = Set<String>()
        for m in methods { precondition(seen.insert(m.id).inserted, "MethodRegistry: duplicate id \(m.id)") }
        self.methods = methods
    }

    /// The registry of this library.
    public static let standard = MethodRegistry(
        ExactSoftmaxMethods.all + ApproximateSoftmaxMethods.all + IBertMethods.all + ActivationMethods.all + LossMethods.all + GateMethods.all
            + ClassificationLossMethods.all + FourierHeadMethods.all
            + SamplingMethods.all + BiViTMethods.all + SDMMethods.all + MadaCosMethods.all + TempNetMethods.all + GNSMethods.all + [.taylorSoftmax])

    /// The entry `id`, or `RegistryError.unknownMethod` with the closest ids as suggestions.
    public func method(_ id: String) throws -> MethodDescriptor {
        if let m = methods.first(where: { $0.id == id }) { return m }
        throw RegistryError.unknownMethod(id, suggestions: suggestions(for: id))
    }

    /// Registered ids close to a mistyped one (edit distance ≤ 3, or containing it).
    public func suggestions(for id: String) -> [String] {
        let lower = id.lowercased().replacingUnderscores
        let scored = methods.map { ($0.id, editDistance(lower, $0.id)) }
        let close = scored.filter { $0.1 <= 3 || (lower.count >= 4 && $0.0.contains(lower)) }
        return close.sorted { $0.1 < $1.1 }.prefix(3).map(\.0)
    }

    /// Calls method `id` with parameters and inputs by name. Computes in `precision`, or else in
    /// float64 when a real input is float64 and in float32 otherwise; outputs of float16 inputs are
    /// written as float16. A normalizer or reduction runs along its `axis` parameter: the inputs
    /// are copied with that axis moved last, and full-rank outputs moved back (rows along the last
    /// axis are not copied) — except for a `ColumnNormalizer` without a mask, which runs along the
    /// axis where it lies (`Normalizer.columns(for:masked:)`). Losses and samplers take scores of
    /// any rank, their leading axes counting rows (`LeadingAxes`).
    public func call(
        _ id: String, inputs: [String: Tensor], parameters: [String: ParameterValue] = [:],
        precision: Precision? = nil
    ) throws -> [String: Tensor] {
        let method = try method(id)
        let values = try method.resolve(parameters)
        for name in inputs.keys where !method.inputs.contains(where: { $0.name == name }) {
            throw RegistryError.unknownInput(method: id, name: name, known: method.inputs.map(\.name))
        }
        for spec in method.inputs where !spec.isOptional && inputs[spec.name] == nil {
            throw RegistryError.missingInput(method: id, name: spec.name)
        }
        let realInputs = method.inputs.filter { $0.kind == .real }.compactMap { inputs[$0.name] }
        let chosen = precision ?? (realInputs.contains { $0.dtype == .float64 } ? .float64 : .float32)
        var axis = try RowAxis(method: method, inputs: inputs, values: values)
        var columnAxis: Int?
        // Only the plain normalizer plumbing (`NormalizerMethod`) runs along columns.
        if let a = axis, method.implementation is NormalizerMethod, let make = method.normalizer, let x = inputs["x"],
            try make(values).columns(for: AxisBlock(shape: x.shape, axis: a.axis), masked: inputs["mask"] != nil) != nil
        {
            (columnAxis, axis) = (a.axis, nil)
        }
        let rowsLast = axis?.movedLast(inputs) ?? inputs
        let leading = LeadingAxes(method: method, inputs: rowsLast)
        let invocation = MethodInvocation(
            method: id, inputs: leading?.folded(rowsLast) ?? rowsLast, parameters: values, precision: chosen,
            allowRounding: precision != nil, columnAxis: columnAxis)
        var outputs: [String: Tensor]
        switch chosen {
        case .float32: outputs = try method.implementation.run(invocation, as: Float.self)
        case .float64: outputs = try method.implementation.run(invocation, as: Double.self)
        }
        if let leading { outputs = leading.unfolded(outputs) }
        if let axis { outputs = axis.movedBack(outputs) }
        if precision == nil, !realInputs.isEmpty, realInputs.allSatisfy({ $0.dtype == .float16 }) {
            outputs = outputs.mapValues { $0.dtype == .float32 ? $0.converted(toFloat: .float16) : $0 }
        }
        return outputs
    }
}

/// A call's row axis when it is not the last: which inputs to move and where outputs go back.
struct RowAxis {
    let axis: Int
    let rank: Int
    let names: [String]

    /// Nil when the method takes no axis or the rows already run along the last axis.
    init?(method: MethodDescriptor, inputs: [String: Tensor], values: ParameterValues) throws {
        guard case let .number(given)? = values.values["axis"],
            let first = method.axisInputs.first(where: { inputs[$0] != nil }), let x = inputs[first]
        else { return nil }
        let axis = try Tensor.resolveAxis(Int(given), rank: x.rank, tensor: first, shape: x.shape)
        for name in method.axisInputs where name != first {
            if let t = inputs[name], t.shape != x.shape {
                throw TensorError.shapeMismatch(
                    tensor: name, shape: t.shapeDescription, expected: "the shape of \(first), \(x.shapeDescription)")
            }
        }
        guard axis < x.rank - 1 else { return nil }
        (self.axis, self.rank, self.names) = (axis, x.rank, method.axisInputs)
    }

    func movedLast(_ inputs: [String: Tensor]) -> [String: Tensor] {
        var moved = inputs
        for name in names { moved[name] = inputs[name]?.movingAxisLast(axis) }
        return moved
    }

    /// Outputs of the inputs' rank have their last axis moved back; per-row outputs (one rank
    /// less) already list the other axes in order.
    func movedBack(_ outputs: [String: Tensor]) -> [String: Tensor] {
        outputs.mapValues { $0.rank == rank ? $0.movingLastAxis(to: axis) : $0 }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}

/// Levenshtein distance.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where j <= b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
