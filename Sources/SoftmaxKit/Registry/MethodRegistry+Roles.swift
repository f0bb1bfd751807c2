/// The registered methods as their roles' protocols, made once with their parameters — what a
/// model, a benchmark or a training loop holds instead of calling `call(_:inputs:)` with tensors
/// by name.
extension MethodRegistry {
    public func normalizer(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Normalizer {
        try role(id, \.normalizer, "a normalizer", parameters)
    }

    public func activation(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Activation {
        try role(id, \.activation, "an activation", parameters)
    }

    public func gate(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Gate {
        try role(id, \.gate, "a gate", parameters)
    }

    /// A loss over index targets (`cross-entropy`, `stablemax-cross-entropy`, `z-loss`, `comp-sum-loss`).
    public func loss(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any ClassificationLoss {
        try role(id, \.loss, "a loss over class indices", parameters)
    }

    public func sampler(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Sampler {
        try role(id, \.sampler, "a sampler", parameters)
    }

    private func role<R>(
        _ id: String, _ factory: KeyPath<MethodDescriptor, (@Sendable (ParameterValues) throws -> R)?>, _ what: String,
        _ parameters: [String: ParameterValue]
    ) throws -> R {
        let m = try method(id)
        guard let make = m[keyPath: factory] else {
            throw RegistryError.invalidParameter(method: id, name: "id", value: id, reason: "'\(id)' is not \(what) (see softmaxkit methods)")
        }
        return try make(m.resolve(parameters))
    }
}
