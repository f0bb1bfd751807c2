/// The registered methods as their roles' protocols, made once with their parameters — what a
/// model, a benchmark or a training loop holds instead of calling `call(_:inputs:)` with tensors
/// by name.
extension MethodRegistry {
    /// The normalizer `id` with `parameters` (validated); an id of another role is an error.
    public func normalizer(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Normalizer {
        let m = try method(id)
        return try make(m, m.normalizer, "a normalizer", parameters)
    }

    /// The activation `id` with `parameters` (validated); an id of another role is an error.
    public func activation(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Activation {
        let m = try method(id)
        return try make(m, m.activation, "an activation", parameters)
    }

    /// The gate `id` with `parameters` (validated); an id of another role is an error.
    public func gate(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Gate {
        let m = try method(id)
        return try make(m, m.gate, "a gate", parameters)
    }

    /// A loss over index targets (`cross-entropy`, `stablemax-cross-entropy`, `z-loss`, `comp-sum-loss`).
    public func loss(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any ClassificationLoss {
        let m = try method(id)
        return try make(m, m.loss, "a loss over class indices", parameters)
    }

    /// The sampler `id` with `parameters` (validated; `seed` belongs to `call`, the generator
    /// to `Sampler.next`); an id of another role is an error.
    public func sampler(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any Sampler {
        let m = try method(id)
        return try make(m, m.sampler, "a sampler", parameters)
    }

    private func make<R>(
        _ m: MethodDescriptor, _ factory: (@Sendable (ParameterValues) throws -> R)?, _ what: String, _ parameters: [String: ParameterValue]
    ) throws -> R {
        guard let factory else {
            throw RegistryError.invalidParameter(method: m.id, name: "id", value: m.id, reason: "'\(m.id)' is not \(what) (see softmaxkit methods)")
        }
        return try factory(m.resolve(parameters))
    }
}
