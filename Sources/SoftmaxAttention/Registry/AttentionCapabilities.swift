import SoftmaxKit

/// Which of the shared attention options an engine supports, read off its registry entry (the
/// same entry that rejects every other option by name): every engine takes one head `[N, D]` or
/// a batch `[B, H, N, D]` with grouped-query heads; beyond that, a keep-mask and an additive bias
/// are inputs, causal masking, the sliding window, logit soft-capping, the scale and the
/// normalizer are parameters, and the logsumexp is an output.
public struct AttentionCapabilities: Sendable, Equatable, Encodable {
    /// Takes a keep-mask.
    public let mask: Bool
    /// Takes an additive bias.
    public let bias: Bool
    /// The causal alignments offered (empty: no causal form).
    public let causal: [String]
    /// Takes a sliding window.
    public let window: Bool
    /// Takes a logit soft-cap.
    public let softcap: Bool
    /// Takes a scale on `q·k`.
    public let scale: Bool
    /// Takes another normalizer in place of softmax.
    public let normalizer: Bool
    /// Returns each query row's logsumexp.
    public let logSumExp: Bool
    /// Inputs beyond Q, K, V that the engine requires (random projections, landmarks).
    public let extraInputs: [String]

    enum CodingKeys: String, CodingKey {
        case mask, bias, causal, window, softcap, scale, normalizer, logSumExp = "lse", extraInputs = "extra_inputs"
    }

    /// Nil for methods that are not attention engines.
    public init?(_ m: MethodDescriptor) {
        guard m.role == .attention else { return nil }
        func parameter(_ name: String) -> ParameterSpec? { m.parameters.first { $0.name == name } }
        mask = m.inputs.contains { $0.name == "mask" }
        bias = m.inputs.contains { $0.name == "bias" }
        if let c = parameter("causal") {
            causal = c.choices.isEmpty ? ["top-left"] : c.choices.filter { $0 != "none" }
        } else {
            causal = []
        }
        window = parameter("window_left") != nil
        softcap = parameter("softcap") != nil
        scale = parameter("scale") != nil
        normalizer = parameter("normalizer") != nil
        logSumExp = m.outputs.contains { $0.name == "lse" }
        extraInputs = m.inputs.filter { !$0.isOptional && !["Q", "K", "V"].contains($0.name) }.map(\.name)
    }

    /// `mask, bias, causal (top-left, bottom-right), …` — the options supported, for listings.
    public var summary: String {
        var parts = [String]()
        if mask { parts.append("mask") }
        if bias { parts.append("bias") }
        if !causal.isEmpty { parts.append("causal (\(causal.joined(separator: ", ")))") }
        if window { parts.append("sliding window") }
        if softcap { parts.append("softcap") }
        if scale { parts.append("scale") }
        if normalizer { parts.append("any normalizer") }
        if logSumExp { parts.append("logsumexp output") }
        let base = "[B, H, N, D] with grouped-query heads" + (parts.isEmpty ? "" : "; " + parts.joined(separator: ", "))
        return extraInputs.isEmpty ? base : base + "; needs " + extraInputs.joined(separator: ", ")
    }
}
