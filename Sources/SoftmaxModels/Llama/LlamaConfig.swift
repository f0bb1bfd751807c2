/// The hyper-parameters of a Llama-architecture decoder, read from GGUF metadata
/// (`general.architecture = llama`, keys `llama.*`), checked for consistency before any weight is
/// read: positive sizes, heads that divide the width, query heads a multiple of the key/value
/// heads, an even head dimension for RoPE, a finite positive epsilon and RoPE base.
public struct LlamaConfig: Sendable, Equatable {
    /// Width d of the residual stream (`llama.embedding_length`).
    public var width: Int
    /// Transformer blocks (`llama.block_count`).
    public var layers: Int
    /// Query heads (`llama.attention.head_count`).
    public var heads: Int
    /// Key/value heads, shared by `heads / kvHeads` query heads each (`llama.attention.head_count_kv`).
    public var kvHeads: Int
    /// The feed-forward width (`llama.feed_forward_length`).
    public var feedForward: Int
    /// Vocabulary size (the tokenizer's token count).
    public var vocabulary: Int
    /// RMSNorm's ε (`llama.attention.layer_norm_rms_epsilon`).
    public var rmsEpsilon: Double
    /// RoPE's base θ (`llama.rope.freq_base`, default 10 000).
    public var ropeBase: Double
    /// The longest context the model was trained for (`llama.context_length`).
    public var contextLength: Int

    /// Dimension of one head, d / heads.
    public var headDim: Int { width / heads }

    /// A configuration; `validate` checks it.
    public init(
        width: Int, layers: Int, heads: Int, kvHeads: Int, feedForward: Int, vocabulary: Int, rmsEpsilon: Double, ropeBase: Double,
        contextLength: Int
    ) {
        self.width = width
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.feedForward = feedForward
        self.vocabulary = vocabulary
        self.rmsEpsilon = rmsEpsilon
        self.ropeBase = ropeBase
        self.contextLength = contextLength
    }

    /// The configuration in `file`'s metadata; throws naming the key that is missing or inconsistent.
    public init(gguf file: GGUFFile) throws {
        let architecture = try file.string("general.architecture")
        guard architecture == "llama" else {
            throw GGUFError.invalid(file: file.path, key: "general.architecture", "'\(architecture)'; only 'llama' decoders are read")
        }
        let ropeBase = file.header.value("llama.rope.freq_base") == nil ? 10_000 : try file.real("llama.rope.freq_base")
        self.init(
            width: try file.integer("llama.embedding_length"), layers: try file.integer("llama.block_count"),
            heads: try file.integer("llama.attention.head_count"), kvHeads: try file.integer("llama.attention.head_count_kv"),
            feedForward: try file.integer("llama.feed_forward_length"), vocabulary: try file.strings("tokenizer.ggml.tokens").count,
            rmsEpsilon: try file.real("llama.attention.layer_norm_rms_epsilon"), ropeBase: ropeBase,
            contextLength: try file.integer("llama.context_length"))
        try validate(file: file.path)
    }

    /// Throws naming the first inconsistent setting.
    public func validate(file: String) throws {
        func bad(_ key: String, _ why: String) -> GGUFError { .invalid(file: file, key: key, why) }
        for (key, value) in [
            ("llama.embedding_length", width), ("llama.block_count", layers), ("llama.attention.head_count", heads),
            ("llama.attention.head_count_kv", kvHeads), ("llama.feed_forward_length", feedForward),
            ("tokenizer.ggml.tokens", vocabulary), ("llama.context_length", contextLength),
        ] where !(1...(1 << 24)).contains(value) {
            throw bad(key, "\(value) is outside 1…2²⁴")
        }
        guard width % heads == 0 else { throw bad("llama.attention.head_count", "\(heads) heads do not divide the width \(width)") }
        guard heads % kvHeads == 0 else { throw bad("llama.attention.head_count_kv", "\(kvHeads) key/value heads do not divide \(heads) query heads") }
        guard headDim % 2 == 0 else { throw bad("llama.attention.head_count", "head dimension \(headDim) is odd; RoPE rotates pairs") }
        guard rmsEpsilon.isFinite, rmsEpsilon > 0 else { throw bad("llama.attention.layer_norm_rms_epsilon", "must be finite and > 0, got \(rmsEpsilon)") }
        guard ropeBase.isFinite, ropeBase > 1 else { throw bad("llama.rope.freq_base", "must be finite and > 1, got \(ropeBase)") }
    }
}
