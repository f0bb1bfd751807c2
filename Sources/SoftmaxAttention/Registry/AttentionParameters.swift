import SoftmaxKit

/// The causal form of engines whose only alignment is top-left (prefix sums, recurrent forms):
/// `causal=top-left`, or `none`, as every engine spells it.
public enum TopLeftCausal: String, CaseIterable, Sendable {
    case topLeft = "top-left"
}

/// The scale on `q·k`: a number, or `auto` (nil) for `1/√D`.
let scaleSummary = "factor on q·k, or auto (1/√D)"

/// `attention`'s parameters.
struct ExactAttentionParameters: MethodParameters {
    var scale: Double?
    var causal: CausalAlignment?
    var windowLeft: Int?
    var windowRight: Int?
    var softcap: Double?
    var engine = ExactAttentionImplementation.flash
    /// A registered normalizer id in place of softmax.
    var normalizer = "softmax"

    /// The float32 implementation of exact softmax attention.
    enum ExactAttentionImplementation: String, CaseIterable, Sendable {
        case flash, naive
    }

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalNumber("scale", \.scale, scaleSummary, range: -1e30...1e30, automatic: "auto"),
        .optionalChoice("causal", \.causal, "none, top-left (j ≤ i) or bottom-right (j ≤ i + Nk − Nq)", none: "none"),
        .optionalInteger("window_left", \.windowLeft, "sliding window: keys j ≥ i′ − left, or none", range: 0...(1 << 40), automatic: "none"),
        .optionalInteger("window_right", \.windowRight, "sliding window: keys j ≤ i′ + right, or none", range: 0...(1 << 40), automatic: "none"),
        .optionalNumber(
            "softcap", \.softcap, "logit soft-cap c·tanh(s/c) with c > 0, or none", range: Double.leastNormalMagnitude...1e30,
            automatic: "none"),
        .choice("engine", \.engine, "flash (tiled, float32) or naive (reference)"),
        .text("normalizer", \.normalizer, "a registered normalizer id in place of softmax (materialises the N×N scores)"),
    ]

    var options: AttentionOptions {
        var options = AttentionOptions(scale: scale, causal: causal, softcap: softcap)
        if windowLeft != nil || windowRight != nil { options.window = (left: windowLeft ?? Int.max / 4, right: windowRight ?? Int.max / 4) }
        return options
    }
}

/// `sigmoid-attention`'s parameters.
struct SigmoidAttentionParameters: MethodParameters {
    /// Nil: −log Nk.
    var bias: Double?
    var scale: Double?
    var causal: CausalAlignment?

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalNumber("bias", \.bias, "b, or auto (−log Nk)", range: -1e30...1e30, automatic: "auto"),
        .optionalNumber("scale", \.scale, scaleSummary, range: -1e30...1e30, automatic: "auto"),
        .optionalChoice("causal", \.causal, "none, top-left or bottom-right", none: "none"),
    ]
}

/// `bivit-sab-attention`'s parameters.
struct BiViTAttentionParameters: MethodParameters {
    var ratio = 0.25
    var scale: Double?
    var causal: CausalAlignment?

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("ratio", \.ratio, "r ∈ (0, 1]: keep keys with p ≥ r·max p", range: 0...1, check: { $0 > 0 ? nil : "must be in (0, 1]" }),
        .optionalNumber("scale", \.scale, scaleSummary, range: -1e30...1e30, automatic: "auto"),
        .optionalChoice("causal", \.causal, "none, top-left or bottom-right", none: "none"),
    ]
}

/// `edge-moe-attention`'s parameters.
struct ScaledCausalParameters: MethodParameters {
    var scale: Double?
    var causal: CausalAlignment?

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalNumber("scale", \.scale, scaleSummary, range: -1e30...1e30, automatic: "auto"),
        .optionalChoice("causal", \.causal, "none, top-left or bottom-right", none: "none"),
    ]
}

/// The engines with a top-left causal form only, off by default (selective, linear attention).
struct TopLeftCausalParameters: MethodParameters {
    var causal: TopLeftCausal?

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalChoice("causal", \.causal, "none, or top-left (only keys j ≤ i; the prefix-sum form where there is one)", none: "none")
    ]
}

/// `lssa-weights`: causal by default, as the paper's decoder uses it.
struct SoftplusWeightsParameters: MethodParameters {
    var causal: TopLeftCausal? = .topLeft

    static let declarations: [ParameterDeclaration<Self>] = [
        .optionalChoice("causal", \.causal, "top-left (only keys j ≤ i) or none", none: "none")
    ]
}

/// `lssar-weights`: the re-weighting on top of LSSA.
struct ReweightedSoftplusParameters: MethodParameters {
    var power = 15.0
    var causal: TopLeftCausal? = .topLeft
    var warmupRows = 3
    var offset = 1.0

    static let declarations: [ParameterDeclaration<Self>] = [
        .number("p", \.power, "the power (3 and 15 in the paper)", range: 0...1e6),
        .optionalChoice("causal", \.causal, "top-left (only keys j ≤ i) or none", none: "none"),
        .integer("warmup_rows", \.warmupRows, "rows with offset 0", range: 0...(1 << 40)),
        .number("offset", \.offset, "Oᵢ after the warm-up rows", range: -1e30...1e30),
    ]
}

/// `performer-attention`'s parameters.
struct PerformerParameters: MethodParameters {
    var mode = FeatureMode.google
    var eps = 1e-6
    var causal: TopLeftCausal?

    /// The official features (max-shifted, plus ε) or the ideal ones.
    enum FeatureMode: String, CaseIterable, Sendable {
        case google, ideal
    }

    static let declarations: [ParameterDeclaration<Self>] = [
        .choice("mode", \.mode, "google (official features, ε guard) or ideal"),
        .number("eps", \.eps, "numerical stabiliser ε (google)", range: 0...1),
        .optionalChoice("causal", \.causal, "none, or top-left (the prefix-sum form)", none: "none"),
    ]
}
