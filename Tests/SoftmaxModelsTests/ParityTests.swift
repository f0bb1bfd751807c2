import Foundation
import Testing

@testable import SoftmaxModels

/// all-MiniLM-L6-v2 against the float64 reference (cross-checked against PyTorch): token ids,
/// last hidden state, layer-0 head-0 attention, and the sentence embeddings. Needs the fetched
/// model (`scripts/fetch-models.sh`); skipped without it.
@Suite(.enabled(if: ModelFolder.hasModel, "\(ModelFolder.skipReason)")) struct ParityTests {
    let embedder: SentenceEmbedder
    let reference: [String: Any]
    let sentences: [[String: Any]]

    init() throws {
        embedder = try ModelFolder.embedder()
        reference = try ModelFolder.reference()
        sentences = reference["sentences"] as! [[String: Any]]
    }

    /// A reference array of numbers; a missing or malformed entry fails the test.
    func floats(_ v: Any?, _ key: String) throws -> [Float] {
        let numbers = try #require(v as? [Double] ?? (v as? [NSNumber])?.map(\.doubleValue), "reference entry \(key) is not an array of numbers")
        #expect(!numbers.isEmpty, "reference entry \(key) is empty")
        return numbers.map { Float($0) }
    }

    @Test func tokenIdsMatch() {
        for s in sentences {
            #expect(embedder.tokenizer.encode(s["text"] as! String) == (s["token_ids"] as! [Int]))
        }
    }

    @Test func hiddenStatesAndEmbeddingsMatch() throws {
        let ids = sentences.map { $0["token_ids"] as! [Int] }
        let batch = BertEncoder.Batch(ids)
        let hidden = try embedder.encoder.forward(batch, threads: 2)
        let h = embedder.encoder.config.hiddenSize
        for (b, s) in sentences.enumerated() {
            let n = ids[b].count
            let first = Array(hidden[(b * batch.length * h)..<(b * batch.length * h + 8)])
            let last = Array(hidden[((b * batch.length + n - 1) * h)..<((b * batch.length + n - 1) * h + 8)])
            #expect(
                zip(first, try floats(s["last_hidden_state_token0_first8"], "last_hidden_state_token0_first8")).allSatisfy { abs($0 - $1) <= 1e-4 },
                "sentence \(b) token 0: \(first)")
            #expect(
                zip(last, try floats(s["last_hidden_state_token_last_first8"], "last_hidden_state_token_last_first8")).allSatisfy { abs($0 - $1) <= 1e-4 },
                "sentence \(b) last token: \(last)")
        }
        let embeddings = try embedder.embed(sentences.map { $0["text"] as! String }, threads: 2)
        for (e, s) in zip(embeddings, sentences) {
            let r = try floats(s["embedding"], "embedding")
            #expect(r.count == 384)
            var dot = 0.0, ee = 0.0, rr = 0.0
            var worst: Float = 0
            for (x, y) in zip(e, r) {
                dot += Double(x) * Double(y)
                ee += Double(x) * Double(x)
                rr += Double(y) * Double(y)
                worst = max(worst, abs(x - y))
            }
            let cosine = dot / (ee.squareRoot() * rr.squareRoot())
            #expect(cosine >= 0.99999 && worst <= 1e-4, "cosine \(cosine), max abs \(worst)")
        }
    }

    @Test func layerZeroHeadZeroAttentionMatches() throws {
        let ids = sentences[0]["token_ids"] as! [Int]
        var snapshot: BertEncoder.AttentionSnapshot?
        _ = try embedder.encoder.forward(BertEncoder.Batch([ids]), threads: 1) { s in
            if s.layer == 0 && s.head == 0 && s.sequence == 0 { snapshot = s }
        }
        let logits = (reference["attention_logits_layer0_head0_sentence0"] as! [String: Any])["values"] as! [[Double]]
        let probs = (reference["attention_probs_layer0_head0_sentence0"] as! [String: Any])["values"] as! [[Double]]
        let s = try #require(snapshot)
        #expect(s.tokens == 12)
        let worstLogit = zip(s.logits, logits.flatMap { $0 }).map { abs(Double($0) - $1) }.max()!
        let worstProb = zip(s.weights, probs.flatMap { $0 }).map { abs(Double($0) - $1) }.max()!
        #expect(worstLogit <= 1e-5 && worstProb <= 1e-5, "logits \(worstLogit), probabilities \(worstProb)")
    }

    @Test func paddingDoesNotChangeResultsAndExactSwapIsBitIdentical() throws {
        let texts = ["A man is playing a guitar on stage.", "Short.", "The quick brown fox jumps over the lazy dog, twice, and then sleeps."]
        let together = try embedder.embed(texts, batchSize: 3, threads: 2)
        let alone = try texts.map { try embedder.embed([$0], batchSize: 1, threads: 1)[0] }
        for (a, b) in zip(together, alone) { #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 }) }
        let swap = try EncoderSwap.make(normalizer: "softmax", activation: "gelu", layerCount: 6)
        #expect(try embedder.embed(texts, swap: swap, batchSize: 3, threads: 2) == together)
        let changed = try embedder.embed(texts, swap: EncoderSwap.make(normalizer: "stablemax", layerCount: 6), batchSize: 3, threads: 2)
        #expect(changed != together)
    }

    @Test func attentionEnginesPlugIn() throws {
        let texts = ["A man is playing a guitar on stage.", "Short."]
        let exact = try embedder.embed(texts, threads: 2)
        // The registry's exact attention engine in place of the built-in one: the same embeddings.
        let viaEngine = try embedder.embed(texts, swap: EncoderSwap.make(attention: "attention", layerCount: 6), threads: 2)
        for (a, b) in zip(exact, viaEngine) { #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }) }
        // An approximation, in two layers only: finite, unit length, close but not equal.
        let performer = try embedder.embed(
            texts,
            swap: EncoderSwap.make(
                attention: "performer-attention", parameters: ["features": .number(128)],
                layers: "4-5", layerCount: 6), threads: 2)
        for (a, b) in zip(exact, performer) {
            let cosine = zip(a, b).map { Double($0) * Double($1) }.reduce(0, +)
            #expect(cosine > 0.5 && cosine < 0.999999 && a.allSatisfy(\.isFinite), "cosine \(cosine)")
        }
        #expect(throws: ModelError.self) { try EncoderSwap.make(attention: "softmax", layerCount: 6) }
        #expect(throws: ModelError.self) { try EncoderSwap.parseLayers("2-1", count: 6) }
        #expect(try EncoderSwap.parseLayers("0,2-3", count: 6) == [0, 2, 3])
    }
}
