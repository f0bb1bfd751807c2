import Foundation
import SoftmaxKit

/// Sentence embeddings the sentence-transformers way: tokenize, run the encoder, mean-pool the
/// last hidden state over the real tokens (`[CLS]` and `[SEP]` included) and L2-normalise — the
/// recipe of all-MiniLM-L6-v2 (`1_Pooling/config.json`: mean tokens).
public struct SentenceEmbedder: Sendable {
    /// The encoder.
    public let encoder: BertEncoder
    /// Its tokenizer.
    public let tokenizer: WordPieceTokenizer

    /// An embedder over `encoder` and `tokenizer`.
    public init(encoder: BertEncoder, tokenizer: WordPieceTokenizer) {
        self.encoder = encoder
        self.tokenizer = tokenizer
    }

    /// Loads a sentence-transformers folder: `config.json`, `model.safetensors`, `vocab.txt`, and,
    /// when present, `1_Pooling/config.json` (which must ask for mean pooling).
    public static func load(folder: String, maxLength: Int = 256) throws -> SentenceEmbedder {
        let pooling = (folder as NSString).appendingPathComponent("1_Pooling/config.json")
        if let data = FileManager.default.contents(atPath: pooling) {
            guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw ModelError.file(pooling, "not a JSON object") }
            guard json["pooling_mode_mean_tokens"] as? Bool == true else { throw ModelError.file(pooling, "only mean pooling is supported") }
        }
        let encoder = try BertEncoder.load(folder: folder)
        let tokenizer = try WordPieceTokenizer(
            vocabularyFile: (folder as NSString).appendingPathComponent("vocab.txt"),
            maxLength: min(maxLength, encoder.config.maxPositionEmbeddings))
        guard tokenizer.tokens.count == encoder.config.vocabSize else {
            throw ModelError.file(folder, "vocab.txt has \(tokenizer.tokens.count) tokens, config.json says \(encoder.config.vocabSize)")
        }
        return SentenceEmbedder(encoder: encoder, tokenizer: tokenizer)
    }

    /// One unit vector per text. Texts are batched by similar length (`batchSize` per batch) so
    /// little padding is computed; the result does not depend on the batching.
    public func embed(
        _ texts: [String], swap: EncoderSwap = EncoderSwap(), batchSize: Int = 32,
        threads: Int = RowParallel.activeCores
    ) throws -> [[Float]] {
        try embed(tokenized: texts.map(tokenizer.encode), swap: swap, batchSize: batchSize, threads: threads)
    }

    /// Embeds sequences already tokenized (`[CLS] … [SEP]` ids) in batches of `batchSize`, one L2-normalised vector each.
    public func embed(
        tokenized: [[Int]], swap: EncoderSwap = EncoderSwap(), batchSize: Int = 32,
        threads: Int = RowParallel.activeCores
    ) throws -> [[Float]] {
        guard batchSize >= 1 else { throw ModelError.setting("batch size must be ≥ 1, got \(batchSize)") }
        let h = encoder.config.hiddenSize
        var out = [[Float]](repeating: [], count: tokenized.count)
        let order = tokenized.indices.sorted { (tokenized[$0].count, $0) < (tokenized[$1].count, $1) }
        var start = 0
        let workspace = BertEncoder.Workspace()
        while start < order.count {
            let members = Array(order[start..<min(start + batchSize, order.count)])
            let batch = BertEncoder.Batch(members.map { tokenized[$0] }, padding: tokenizer.padding)
            let hidden = try encoder.forward(batch, swap: swap, threads: threads, workspace: workspace)
            for (b, index) in members.enumerated() {
                let n = tokenized[index].count
                var pooled = [Float](repeating: 0, count: h)
                for i in 0..<n { for k in 0..<h { pooled[k] += hidden[(b * batch.length + i) * h + k] } }
                var norm: Float = 0
                for k in 0..<h {
                    pooled[k] /= Float(max(n, 1))
                    norm += pooled[k] * pooled[k]
                }
                // sentence-transformers' Normalize: x / max(‖x‖, 1e-12).
                let scale = 1 / max(norm.squareRoot(), 1e-12)
                out[index] = pooled.map { $0 * scale }
            }
            start += batchSize
        }
        return out
    }
}
