import Foundation
import SoftmaxKit

/// Perplexity of a decoder on a token sequence, by the protocol of the shared SmolLM2 reference:
/// the ids cut into non-overlapping windows of `window` tokens (the last may be shorter), each run
/// from position 0 with an empty cache and no BOS; the NLL of positions 1 … len − 1 of each window,
/// `−log p(idᵢ | ids<ᵢ)`, summed; `PPL = exp(total NLL / predicted tokens)`. The log-probabilities
/// come from the library's exact log-sum-exp kernel over each vocabulary-wide row (Float logits,
/// the sum in Double).
public struct Perplexity: Sendable, Codable, Equatable {
    /// One window's share.
    public struct Window: Sendable, Codable, Equatable {
        /// First token of the window.
        public var start: Int
        /// Tokens in the window.
        public var length: Int
        /// Σ NLL over its predicted positions.
        public var nllSum: Double
        /// `exp(nllSum / (length − 1))`.
        public var ppl: Double

        enum CodingKeys: String, CodingKey { case start, length = "len", nllSum = "nll_sum", ppl }
    }

    /// `exp(totalNLL / predicted)`.
    public var ppl: Double
    /// Tokens in the text.
    public var tokens: Int
    /// Positions whose token was predicted (tokens minus one per window).
    public var predicted: Int
    /// Σ NLL over every window.
    public var totalNLL: Double
    /// Per window, in order.
    public var windows: [Window]

    enum CodingKeys: String, CodingKey { case ppl, tokens = "n_tokens", predicted = "n_predicted", totalNLL = "total_nll", windows }

    /// The protocol's windows over `count` tokens: `window` tokens each from 0 (the last may be
    /// shorter; one of a single token predicts nothing and is left out). Throws for a window
    /// outside 2…`contextLength` or fewer than 2 tokens.
    public static func windows(count: Int, window: Int, contextLength: Int) throws -> [Range<Int>] {
        guard (2...max(2, contextLength)).contains(window) else {
            throw ModelError.setting("--window must be in 2…\(contextLength) (the model's context), got \(window)")
        }
        guard count >= 2 else { throw ModelError.setting("the text has \(count) token(s); at least 2 are needed") }
        return stride(from: 0, to: count, by: window).map { $0..<min($0 + window, count) }.filter { $0.count >= 2 }
    }

    /// Each of the first `rows` rows' logsumexp over the vocabulary (`logits` is `[rows… × v]`), on
    /// the library's exact kernel.
    public static func logSumExp(_ logits: [Float], rows: Int, vocabulary v: Int, threads: Int) throws -> [Float] {
        var lse = [Float](repeating: 0, count: rows)
        try logits.withUnsafeBufferPointer { l in
            try lse.withUnsafeMutableBufferPointer { out in
                try ExactSoftmax.logSumExp(RowBatch(base: l.baseAddress!, rows: rows, cols: v), into: out, options: SoftmaxOptions(threads: threads))
            }
        }
        return lse
    }

    /// Evaluates `decoder` on `ids` in windows of `window` tokens (≥ 2, ≤ the model's context).
    public static func evaluate(
        _ decoder: LlamaDecoder, ids: [Int], window: Int, swap: EncoderSwap = EncoderSwap(), threads: Int = RowParallel.activeCores,
        progress: (String) -> Void = { _ in }
    ) throws -> Perplexity {
        let v = decoder.config.vocabulary
        var windows: [Window] = []
        for range in try Self.windows(count: ids.count, window: window, contextLength: decoder.config.contextLength) {
            let piece = Array(ids[range]), start = range.lowerBound
            let logits = try decoder.forward(piece, cache: LlamaCache(for: decoder), swap: swap, threads: threads)
            let rows = piece.count - 1
            let lse = try logSumExp(logits, rows: rows, vocabulary: v, threads: threads)
            var sum = 0.0
            for p in 1..<piece.count { sum += Double(lse[p - 1]) - Double(logits[(p - 1) * v + piece[p]]) }
            windows.append(Window(start: start, length: piece.count, nllSum: sum, ppl: exp(sum / Double(rows))))
            progress("perplexity: tokens \(start)…\(start + piece.count - 1) of \(ids.count), window PPL \(String(exp(sum / Double(rows))))")
        }
        let total = windows.reduce(0) { $0 + $1.nllSum }, predicted = windows.reduce(0) { $0 + $1.length - 1 }
        return Perplexity(ppl: exp(total / Double(predicted)), tokens: ids.count, predicted: predicted, totalNLL: total, windows: windows)
    }
}
