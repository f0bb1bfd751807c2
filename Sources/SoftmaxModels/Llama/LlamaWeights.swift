/// The weights of a Llama decoder, dequantized to Float from GGUF: every tensor the model needs
/// must be present with exactly the expected dimensions and finite values. Matrices are kept as
/// GGUF (and PyTorch) store them, `[out × in]` row-major; the query and key rows are in GGUF's
/// order, which llama.cpp's converter permuted so that RoPE rotates adjacent pairs.
public struct LlamaWeights: Sendable {
    /// One transformer block.
    public struct Layer: Sendable {
        /// RMSNorm weight before attention, `[d]`.
        public var attentionNorm: [Float]
        /// `[d × d]`, `[kv × d]`, `[kv × d]` (kv = key/value heads × head dimension), `[d × d]`.
        public var query: [Float], key: [Float], value: [Float], output: [Float]
        /// RMSNorm weight before the feed-forward block, `[d]`.
        public var feedForwardNorm: [Float]
        /// SwiGLU: `[ff × d]` gate and up projections, `[d × ff]` down projection.
        public var gate: [Float], up: [Float], down: [Float]

        /// A block from its weights (the decoder checks their sizes against its config).
        public init(
            attentionNorm: [Float], query: [Float], key: [Float], value: [Float], output: [Float], feedForwardNorm: [Float], gate: [Float],
            up: [Float], down: [Float]
        ) {
            self.attentionNorm = attentionNorm
            self.query = query
            self.key = key
            self.value = value
            self.output = output
            self.feedForwardNorm = feedForwardNorm
            self.gate = gate
            self.up = up
            self.down = down
        }
    }

    /// Token embeddings `[vocab × d]`; also the output matrix when the model ties them.
    public var embeddings: [Float]
    /// The blocks, first to last.
    public var layers: [Layer]
    /// The final RMSNorm weight, `[d]`.
    public var outputNorm: [Float]
    /// The LM head `[vocab × d]`, or nil when tied to the embeddings.
    public var output: [Float]?

    /// Weights from memory (a model built or converted by the caller).
    public init(embeddings: [Float], layers: [Layer], outputNorm: [Float], output: [Float]?) {
        self.embeddings = embeddings
        self.layers = layers
        self.outputNorm = outputNorm
        self.output = output
    }

    /// Reads every weight of `config`'s model from `file`; throws naming the tensor at fault.
    public static func load(_ file: GGUFFile, config c: LlamaConfig) throws -> LlamaWeights {
        let d = c.width, kv = c.kvHeads * c.headDim, ff = c.feedForward, v = c.vocabulary
        func tensor(_ name: String, _ dimensions: [Int]) throws -> [Float] {
            let values = try file.floats(name, dimensions: dimensions)
            // A NaN or infinite weight would turn every logit into NaN: refused at load.
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw GGUFError.invalid(file: file.path, key: name, "value \(bad) is \(values[bad]); weights must be finite")
            }
            return values
        }
        let layers = try (0..<c.layers).map { l -> Layer in
            let p = "blk.\(l)."
            return Layer(
                attentionNorm: try tensor(p + "attn_norm.weight", [d]), query: try tensor(p + "attn_q.weight", [d, d]),
                key: try tensor(p + "attn_k.weight", [d, kv]), value: try tensor(p + "attn_v.weight", [d, kv]),
                output: try tensor(p + "attn_output.weight", [d, d]), feedForwardNorm: try tensor(p + "ffn_norm.weight", [d]),
                gate: try tensor(p + "ffn_gate.weight", [d, ff]), up: try tensor(p + "ffn_up.weight", [d, ff]),
                down: try tensor(p + "ffn_down.weight", [ff, d]))
        }
        let tied = !file.tensorNames.contains("output.weight")
        return LlamaWeights(
            embeddings: try tensor("token_embd.weight", [d, v]), layers: layers, outputNorm: try tensor("output_norm.weight", [d]),
            output: tied ? nil : try tensor("output.weight", [d, v]))
    }
}
