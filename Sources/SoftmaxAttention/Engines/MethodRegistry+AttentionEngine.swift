import SoftmaxKit

extension MethodRegistry {
    /// The attention engine registered as `id`, made once with its parameters: `attention` as an
    /// `ExactAttentionEngine` (its `normalizer` parameter a registered normalizer id, whose own
    /// parameters come from the same list), every other attention method through the registry.
    /// Engines that take random projections also accept `features` (default 64) and `seed`
    /// (default 0). Unknown ids, ids of another role and bad parameters are errors.
    public func attentionEngine(_ id: String, parameters: [String: ParameterValue] = [:]) throws -> any AttentionEngine {
        let m = try method(id)
        guard m.role == .attention else {
            throw RegistryError.invalidParameter(method: id, name: "id", value: id, reason: "'\(id)' is not an attention engine (see softmaxkit methods)")
        }
        var own = parameters
        let features = try own.removeValue(forKey: "features").map { try Self.count($0, name: "features", method: id, range: 1...65536) }
        let seed = try own.removeValue(forKey: "seed").map { try Self.count($0, name: "seed", method: id, range: 0...Int.max) }
        let needsFeatures = m.inputs.contains { $0.name == "W" && !$0.isOptional }
        if !needsFeatures, features != nil || seed != nil {
            throw RegistryError.unknownParameter(method: id, name: features != nil ? "features" : "seed", known: m.parameters.map(\.name))
        }
        guard id == "attention" else {
            let draw = needsFeatures ? RegisteredAttentionEngine.RandomFeatures(features: features ?? 64, seed: UInt64(seed ?? 0)) : nil
            return try RegisteredAttentionEngine(method: m, parameters: own, randomFeatures: draw)
        }
        let normalizerId: String
        if case let .string(s)? = own.removeValue(forKey: "normalizer") { normalizerId = s } else { normalizerId = "softmax" }
        let normalizerMethod = try method(normalizerId)
        guard let make = normalizerMethod.normalizer else {
            throw RegistryError.invalidParameter(method: id, name: "normalizer", value: normalizerId, reason: "'\(normalizerId)' is not a normalizer")
        }
        // Parameters the normalizer declares go to it; the rest must be attention's own.
        let normalizerParameters = own.filter { name, _ in
            normalizerMethod.parameters.contains { $0.name == name } && !m.parameters.contains { $0.name == name }
        }
        for name in normalizerParameters.keys { own.removeValue(forKey: name) }
        for name in ["engine"] where own[name] != nil {
            throw RegistryError.invalidParameter(method: id, name: name, value: "\(own[name]!)", reason: "an attention engine is always the flash engine")
        }
        let options = ExactAttentionParameters(try m.resolve(own)).options
        let normalizer = normalizerId == "softmax" && normalizerParameters.isEmpty ? nil : try make(normalizerMethod.resolve(normalizerParameters))
        return ExactAttentionEngine(options: options, normalizer: normalizer)
    }

    /// A whole number in `range` given as a parameter.
    private static func count(_ value: ParameterValue, name: String, method: String, range: ClosedRange<Int>) throws -> Int {
        guard case let .number(d) = value, let n = Int(exactly: d), range.contains(n) else {
            throw RegistryError.invalidParameter(
                method: method, name: name, value: value.description,
                reason: "must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return n
    }
}
