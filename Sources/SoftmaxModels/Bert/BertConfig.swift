import Foundation

/// A Hugging Face `config.json` for a BERT encoder, with the library's field names. Only
/// absolute position embeddings and the GELU family of `hidden_act` are supported; anything
/// else is refused by name rather than run wrongly.
public struct BertConfig: Decodable, Sendable, Equatable {
    /// `model_type` (`bert`).
    public var modelType: String?
    /// `vocab_size`: rows of the word embeddings.
    public var vocabSize: Int
    /// `hidden_size`: the model width H.
    public var hiddenSize: Int
    /// `num_hidden_layers`.
    public var numHiddenLayers: Int
    /// `num_attention_heads`.
    public var numAttentionHeads: Int
    /// `intermediate_size`: the feed-forward width.
    public var intermediateSize: Int
    /// `hidden_act`: the feed-forward activation (`gelu`, `gelu_new`, …).
    public var hiddenAct: String
    /// `max_position_embeddings`: the longest sequence.
    public var maxPositionEmbeddings: Int
    /// `type_vocab_size`: rows of the token-type embeddings.
    public var typeVocabSize: Int
    /// `layer_norm_eps`.
    public var layerNormEps: Double
    /// `position_embedding_type`; only `absolute` (or absent) is supported.
    public var positionEmbeddingType: String?
    /// `pad_token_id`.
    public var padTokenId: Int?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size", numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads", intermediateSize = "intermediate_size", hiddenAct = "hidden_act"
        case maxPositionEmbeddings = "max_position_embeddings", typeVocabSize = "type_vocab_size", layerNormEps = "layer_norm_eps"
        case positionEmbeddingType = "position_embedding_type", padTokenId = "pad_token_id"
    }

    /// Dimension of one attention head, H / heads.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    /// Reads and checks `DIR/config.json`.
    public static func load(folder: String) throws -> BertConfig {
        let path = (folder as NSString).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw ModelError.file(path, "cannot read") }
        // Counts given as fractions (6.5 layers) are named before decoding, which would only say
        // the file is not a config.
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let counts: [CodingKeys] = [
                .vocabSize, .hiddenSize, .numHiddenLayers, .numAttentionHeads, .intermediateSize, .maxPositionEmbeddings, .typeVocabSize, .padTokenId,
            ]
            for key in counts {
                if let n = object[key.rawValue] as? Double, n != n.rounded() {
                    throw ModelError.file(path, "field '\(key.rawValue)' is \(n); a whole number is expected")
                }
            }
        }
        let config: BertConfig
        do { config = try JSONDecoder().decode(BertConfig.self, from: data) } catch let DecodingError.keyNotFound(key, _) {
            throw ModelError.file(path, "missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw ModelError.file(path, "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw ModelError.file(path, "not a BERT config.json (not valid JSON, or not an object)")
        }
        try config.validate(path)
        return config
    }

    func validate(_ path: String) throws {
        if let t = modelType, t != "bert" { throw ModelError.file(path, "model_type '\(t)' is not 'bert'") }
        for (name, v) in [
            ("vocab_size", vocabSize), ("hidden_size", hiddenSize), ("num_hidden_layers", numHiddenLayers),
            ("num_attention_heads", numAttentionHeads), ("intermediate_size", intermediateSize),
            ("max_position_embeddings", maxPositionEmbeddings), ("type_vocab_size", typeVocabSize),
        ] where v < 1 {
            throw ModelError.file(path, "\(name) must be ≥ 1, got \(v)")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.file(path, "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        guard layerNormEps > 0, layerNormEps.isFinite else { throw ModelError.file(path, "layer_norm_eps must be > 0") }
        if let p = positionEmbeddingType, p != "absolute" { throw ModelError.file(path, "position_embedding_type '\(p)' is not supported (only absolute)") }
        guard ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"].contains(hiddenAct) else {
            throw ModelError.file(path, "hidden_act '\(hiddenAct)' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)")
        }
    }
}

/// Errors from loading and running models, naming the file or the setting at fault.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case file(String, String)
    case setting(String)

    /// The error as one line naming the setting or file.
    public var description: String {
        switch self {
        case let .file(path, why): "\(path): \(why)"
        case let .setting(why): why
        }
    }
}
