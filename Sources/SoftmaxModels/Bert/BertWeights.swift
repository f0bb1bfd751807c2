/// The weights of a BERT encoder, loaded strictly from safetensors: every tensor the model
/// needs must be present with exactly the expected shape, and every tensor in the file must be
/// used — except the pooler, which sentence embeddings (mean pooling) do not use; it is still
/// shape-checked and reported. Linear weights are kept as PyTorch stores them, `[out × in]`.
public struct BertWeights: Sendable {
    /// A linear layer `y = W·x + b`.
    public struct Linear: Sendable {
        /// `[out × in]`, row-major.
        public var weight: [Float]
        /// `[out]`.
        public var bias: [Float]
        public var inputs: Int, outputs: Int
    }

    /// A LayerNorm's scale and shift, `[H]` each.
    public struct Norm: Sendable {
        public var gamma: [Float], beta: [Float]
    }

    /// One transformer layer.
    public struct Layer: Sendable {
        public var query: Linear, key: Linear, value: Linear, attentionOutput: Linear
        /// The LayerNorm after attention.
        public var attentionNorm: Norm
        public var intermediate: Linear, output: Linear
        /// The LayerNorm after the feed-forward block.
        public var outputNorm: Norm
    }

    /// `[vocab × H]`.
    public var wordEmbeddings: [Float]
    /// `[positions × H]`.
    public var positionEmbeddings: [Float]
    /// `[types × H]`.
    public var tokenTypeEmbeddings: [Float]
    /// The LayerNorm of the embeddings.
    public var embeddingNorm: Norm
    /// The transformer layers, first to last.
    public var layers: [Layer]
    /// Tensors present but unused by sentence embeddings (the pooler).
    public var unused: [String]

    /// Reads every weight of a BERT with config `c` from `file`, checking names, shapes and finiteness; throws naming the tensor at fault.
    public static func load(_ file: SafeTensorsFile, config c: BertConfig) throws -> BertWeights {
        var used = Set<String>()
        // Checkpoints saved by BertModel have no prefix; BertFor… heads add "bert.".
        let prefix = file.names.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        func floats(_ name: String, _ shape: [Int]) throws -> [Float] {
            used.insert(prefix + name)
            let values = try file.floats(prefix + name, shape: shape)
            // A NaN or infinite weight would turn every embedding into NaN: refused at load.
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw SafeTensorsError.invalid(file: file.path, key: prefix + name, "element \(bad) is \(values[bad]); weights must be finite")
            }
            return values
        }
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) throws -> Linear {
            Linear(weight: try floats(name + ".weight", [outputs, inputs]), bias: try floats(name + ".bias", [outputs]), inputs: inputs, outputs: outputs)
        }
        func norm(_ name: String) throws -> Norm {
            Norm(gamma: try floats(name + ".weight", [c.hiddenSize]), beta: try floats(name + ".bias", [c.hiddenSize]))
        }
        let h = c.hiddenSize
        let word = try floats("embeddings.word_embeddings.weight", [c.vocabSize, h])
        let position = try floats("embeddings.position_embeddings.weight", [c.maxPositionEmbeddings, h])
        let type = try floats("embeddings.token_type_embeddings.weight", [c.typeVocabSize, h])
        let embeddingNorm = try norm("embeddings.LayerNorm")
        // The position_ids buffer, when saved, must be the identity this encoder assumes.
        let ids = prefix + "embeddings.position_ids"
        if file.names.contains(ids) {
            used.insert(ids)
            let e = try file.entry(ids)
            let values = try file.integers(ids, shape: e.shape)
            guard values == Array(0..<values.count), values.count <= c.maxPositionEmbeddings else {
                throw SafeTensorsError.invalid(file: file.path, key: ids, "position_ids are not 0, 1, 2, …")
            }
        }
        var layers = [Layer]()
        for l in 0..<c.numHiddenLayers {
            let p = "encoder.layer.\(l)."
            layers.append(
                Layer(
                    query: try linear(p + "attention.self.query", h, h), key: try linear(p + "attention.self.key", h, h),
                    value: try linear(p + "attention.self.value", h, h), attentionOutput: try linear(p + "attention.output.dense", h, h),
                    attentionNorm: try norm(p + "attention.output.LayerNorm"),
                    intermediate: try linear(p + "intermediate.dense", h, c.intermediateSize), output: try linear(p + "output.dense", c.intermediateSize, h),
                    outputNorm: try norm(p + "output.LayerNorm")))
        }
        var unused = [String]()
        for pooler in ["pooler.dense.weight", "pooler.dense.bias"] where file.names.contains(prefix + pooler) {
            let shape = pooler.hasSuffix("weight") ? [h, h] : [h]
            let e = try file.entry(prefix + pooler)
            guard e.shape == shape else { throw SafeTensorsError.shape(file: file.path, key: prefix + pooler, expected: shape, actual: e.shape) }
            used.insert(prefix + pooler)
            unused.append(prefix + pooler)
        }
        let extra = file.names.filter { !used.contains($0) }
        guard extra.isEmpty else { throw SafeTensorsError.unused(file: file.path, keys: extra) }
        return BertWeights(
            wordEmbeddings: word, positionEmbeddings: position, tokenTypeEmbeddings: type, embeddingNorm: embeddingNorm,
            layers: layers, unused: unused)
    }
}
