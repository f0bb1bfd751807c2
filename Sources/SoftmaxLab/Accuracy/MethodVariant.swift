import SoftmaxKit

/// A registered method with chosen parameters: one point in the lab's comparison.
public struct MethodVariant: Sendable, Equatable {
    /// The registry id.
    public var id: String
    /// Parameters given to it; the method's defaults for the rest.
    public var parameters: [String: ParameterValue]

    /// The method `id` with `parameters`.
    public init(_ id: String, _ parameters: [String: ParameterValue] = [:]) {
        self.id = id
        self.parameters = parameters
    }

    /// `softmax` or `softmax[exp=poly3]`.
    public var label: String {
        parameters.isEmpty
            ? id
            : id + "[" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }

    /// The default comparison: every registered normalizer and every method with an element-wise
    /// reference (activations, exp approximations), plus the exact softmax's other algorithms and
    /// its cheap exponentials — each computation once: a variant that a registered id names
    /// (`softmax[algorithm=two-pass]` is `two-pass-softmax`) appears under that id only.
    public static func labDefaults(registry: MethodRegistry = .standard) -> [MethodVariant] {
        let named = registry.methods.compactMap { $0.alias.map { MethodVariant($0.target, $0.parameters) } }
        return allVariants(registry: registry).filter { !named.contains($0) }
    }

    private static func allVariants(registry: MethodRegistry) -> [MethodVariant] {
        var variants: [MethodVariant] = []
        for m in registry.methods where m.normalizer != nil {
            variants.append(MethodVariant(m.id))
            if m.id == "softmax" {
                for algorithm in SoftmaxAlgorithm.allCases where algorithm != .threePassReload {
                    variants.append(MethodVariant("softmax", ["algorithm": .string(algorithm.rawValue)]))
                }
                for exp in ExponentialChoice.allCases.map(\.rawValue) where exp != "exact" {
                    variants.append(MethodVariant("softmax", ["exp": .string(exp)]))
                }
            }
        }
        for m in registry.methods where m.activation != nil && m.reference != nil {
            variants.append(MethodVariant(m.id))
        }
        return variants
    }
}
