import Foundation
import SoftmaxKit

/// Text generation with a `LlamaDecoder`: a prompt, then one position at a time through a
/// `Sampler` (greedy when none is given), optionally after a soft-thinking phase.
///
/// **Soft thinking** feeds, for a while, the probability-weighted mean of the embeddings of the
/// most likely tokens (`SoftThinkingSampler`, the `soft-thinking-weights` method) instead of one
/// sampled token, and then answers with discrete tokens. As in the paper's SGLang code, the
/// thinking phase ends when
/// - the soft token's first (nominal) id is the think-end token: that position is fed as the
///   think-end token alone, one-hot;
/// - or, with a cold stop, the entropy of `softmax(logits/T)` (before the filters) stays below a
///   threshold for a number of steps in a row: the think-end token is fed one-hot;
/// - or after `maxSteps` soft tokens (a limit the code leaves to the overall token budget): the
///   think-end token, when there is one, is fed one-hot.
///
/// "LLMs are Single-threaded Reasoners: Demystifying the Working Mechanism of Soft Thinking", 2025
/// (arXiv 2508.03440); Soft Thinking (Z. Zhang et al., 2025, arXiv 2505.15778) and its
/// eric-ai-lab/Soft-Thinking code.
public struct LlamaGenerator {
    /// The soft-thinking phase's settings.
    public struct SoftThinkingPhase: Sendable {
        /// Forms each soft token (filters, `max_topk`, Dirichlet and Gumbel noise).
        public var sampler: SoftThinkingSampler
        /// Soft tokens at most.
        public var maxSteps: Int
        /// The token that ends thinking (the paper's `</think>`), or nil for none.
        public var thinkEnd: Int?
        /// Cold stop: thinking ends once the entropy (nats) stays below `entropy` for `steps`
        /// steps in a row; nil for none.
        public var coldStop: (entropy: Double, steps: Int)?

        /// A thinking phase of at most `maxSteps` soft tokens.
        public init(sampler: SoftThinkingSampler, maxSteps: Int, thinkEnd: Int? = nil, coldStop: (entropy: Double, steps: Int)? = nil) {
            self.sampler = sampler
            self.maxSteps = maxSteps
            self.thinkEnd = thinkEnd
            self.coldStop = coldStop
        }
    }

    /// How a thinking phase ended.
    public enum ThinkingEnd: String, Sendable, Equatable {
        /// The nominal token was the think-end token.
        case thinkEndToken = "think-end token"
        /// The entropy stayed low (cold stop).
        case coldStop = "cold stop"
        /// `maxSteps` soft tokens.
        case limit = "step limit"
    }

    /// One generated position.
    public struct Step: Sendable, Equatable {
        /// The token printed for it: the sampled token, or a soft token's nominal (first) id.
        public var token: Int
        /// The soft token's ids and weights; nil for a discrete token.
        public var soft: [WeightedToken]?
        /// The entropy (nats) of the distribution it was chosen from: `softmax(logits/T)` while
        /// thinking, `softmax(logits)` for an answer token; 0 for a think-end token fed by rule.
        public var entropy: Double
    }

    /// What a generation did.
    public struct Summary: Sendable, Equatable {
        /// Soft tokens fed.
        public var thinkingSteps = 0
        /// How thinking ended; nil without a thinking phase.
        public var thinkingEnd: ThinkingEnd?
        /// Discrete answer tokens generated.
        public var answerTokens = 0
    }

    /// The decoder.
    public let decoder: LlamaDecoder
    /// The swaps every pass runs with.
    public var swap: EncoderSwap
    /// Threads of each pass.
    public var threads: Int

    /// A generator over `decoder` with `swap`.
    public init(decoder: LlamaDecoder, swap: EncoderSwap = EncoderSwap(), threads: Int = RowParallel.activeCores) {
        self.decoder = decoder
        self.swap = swap
        self.threads = threads
    }

    /// Continues `prompt`: the thinking phase when `thinking` is given, then up to `maxTokens`
    /// discrete tokens from `sampler` (greedy, ties to the lower id, when nil), stopping early at
    /// a token of `stop` or at the model's context. `emit` sees each position as it is chosen.
    /// Randomness comes from `generator` only, so a seeded run repeats exactly.
    public func generate(
        prompt: [Int], maxTokens: Int, sampler: (any Sampler)?, thinking: SoftThinkingPhase? = nil, stop: Set<Int> = [],
        using generator: inout SeededGenerator, emit: (Step) throws -> Void
    ) throws -> Summary {
        guard !prompt.isEmpty else { throw ModelError.setting("generate: the prompt has no tokens") }
        guard maxTokens >= 0 else { throw ModelError.setting("generate: maxTokens must be ≥ 0, got \(maxTokens)") }
        if let thinking {
            guard thinking.maxSteps >= 1 else { throw ModelError.setting("soft thinking: at most \(thinking.maxSteps) steps; it needs ≥ 1") }
            if let end = thinking.thinkEnd, !(0..<decoder.config.vocabulary).contains(end) {
                throw ModelError.setting("soft thinking: think-end token \(end) is outside the vocabulary")
            }
            if let cold = thinking.coldStop, !(cold.entropy >= 0 && cold.entropy.isFinite && cold.steps >= 1) {
                throw ModelError.setting("soft thinking: cold stop needs an entropy ≥ 0 and ≥ 1 steps, got \(cold.entropy), \(cold.steps)")
            }
        }
        // An engine whose only causal form is top-left cannot attend from a cache: every step then
        // runs the whole sequence again from an empty one (quadratic, but the same function).
        let recompute = swap.attention?.parameters["causal"] == .string("top-left")
        var inputs = try decoder.embed(prompt)
        let context = decoder.config.contextLength
        var cache = LlamaCache(for: decoder)
        var logits = try decoder.forward(prompt, cache: cache, swap: swap, lastOnly: true, threads: threads)
        var summary = Summary()
        func feed(_ row: [Float]) throws {
            inputs += row
            if recompute { cache = LlamaCache(for: decoder) }
            logits = try decoder.forward(embeddings: recompute ? inputs : row, cache: cache, swap: swap, lastOnly: true, threads: threads)
        }
        var fed = prompt.count
        if let thinking {
            let temperature = thinking.sampler.filters.order == .hf ? thinking.sampler.filters.temperature : 1
            var lowEntropy = 0
            while true {
                guard fed < context else { break }
                let row = logits.map(Double.init)
                let entropy = LlamaGenerator.entropy(row, temperature: temperature)
                var soft = try thinking.sampler.next(row, using: &generator)
                guard let nominal = soft.first, soft.contains(where: { $0.weight > 0 }) else {
                    throw ModelError.setting("soft thinking: no token survives the filters at position \(fed)")
                }
                summary.thinkingSteps += 1
                if let cold = thinking.coldStop {
                    lowEntropy = entropy < cold.entropy ? lowEntropy + 1 : 0
                    if lowEntropy >= cold.steps, let end = thinking.thinkEnd {
                        summary.thinkingEnd = .coldStop
                        soft = [WeightedToken(id: end, weight: 1)]
                    } else if lowEntropy >= cold.steps {
                        summary.thinkingEnd = .coldStop
                    }
                }
                if summary.thinkingEnd == nil, nominal.id == thinking.thinkEnd {
                    summary.thinkingEnd = .thinkEndToken
                    soft = [WeightedToken(id: nominal.id, weight: 1)]
                }
                if summary.thinkingEnd == nil, summary.thinkingSteps == thinking.maxSteps {
                    summary.thinkingEnd = .limit
                }
                try emit(Step(token: soft[0].id, soft: soft, entropy: entropy))
                try feed(try decoder.embedding(of: soft))
                fed += 1
                guard let end = summary.thinkingEnd else { continue }
                // A limit or a cold stop without the think-end token fed: feed it now.
                if let thinkEnd = thinking.thinkEnd, soft != [WeightedToken(id: thinkEnd, weight: 1)], end != .thinkEndToken, fed < context {
                    try emit(Step(token: thinkEnd, soft: [WeightedToken(id: thinkEnd, weight: 1)], entropy: 0))
                    try feed(decoder.embed([thinkEnd]))
                    fed += 1
                }
                break
            }
        }
        while summary.answerTokens < maxTokens, fed < context {
            let row = logits.map(Double.init)
            let next: Int
            if let sampler {
                guard let token = try sampler.next(row, using: &generator).first else {
                    throw ModelError.setting("generate: no token survives the sampler's filters at position \(fed)")
                }
                next = token.id
            } else {
                next = row.indices.max { row[$0] < row[$1] }!
            }
            summary.answerTokens += 1
            try emit(Step(token: next, soft: nil, entropy: LlamaGenerator.entropy(row, temperature: 1)))
            if stop.contains(next) { break }
            guard summary.answerTokens < maxTokens, fed + 1 < context else { break }
            try feed(decoder.embed([next]))
            fed += 1
        }
        return summary
    }

    /// The entropy of `softmax(logits/T)` in nats (what the cold stop watches, computed before the
    /// filters as the paper's sampler does).
    public static func entropy(_ logits: [Double], temperature: Double) -> Double {
        guard let top = logits.max(), top.isFinite else { return 0 }
        let z = logits.map { ($0 - top) / temperature }
        let e = z.map { Double.scalarExp($0) }, total = e.reduce(0, +)
        var h = 0.0
        for (zi, ei) in zip(z, e) where ei > 0 { h -= ei / total * (zi - Double.scalarLog(total)) }
        return h
    }
}
