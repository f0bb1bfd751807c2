import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxModels

/// Generation on the tiny random Llama: greedy decoding against a recomputing argmax loop, soft
/// thinking against a hand-run of its steps (each soft token's weights from the logits, its
/// embedding the weighted mean, fed as an input embedding), the ways thinking ends, and seeded
/// sampling repeating exactly.
@Suite struct LlamaGeneratorTests {
    func tiny() throws -> (LlamaDecoderTests.Tiny, LlamaDecoder) {
        let (tiny, decoder, _) = try LlamaDecoderTests().tinyDecoder(seed: 21)
        return (tiny, decoder)
    }

    func run(
        _ decoder: LlamaDecoder, prompt: [Int] = [4, 9, 33], maxTokens: Int, sampler: (any Sampler)? = nil,
        thinking: LlamaGenerator.SoftThinkingPhase? = nil, seed: UInt64 = 0
    ) throws -> (steps: [LlamaGenerator.Step], summary: LlamaGenerator.Summary) {
        var steps = [LlamaGenerator.Step]()
        var generator = SeededGenerator(seed: seed)
        let summary = try LlamaGenerator(decoder: decoder, threads: 1).generate(
            prompt: prompt, maxTokens: maxTokens, sampler: sampler, thinking: thinking, using: &generator
        ) { steps.append($0) }
        return (steps, summary)
    }

    func argmax(_ row: ArraySlice<Float>) -> Int { row.indices.max { row[$0] < row[$1] }! - row.startIndex }

    @Test func greedyEqualsAnArgmaxLoopOverWholePasses() throws {
        let (tiny, decoder) = try tiny()
        var ids = [4, 9, 33]
        for _ in 0..<10 {
            let logits = try decoder.forward(ids, cache: LlamaCache(for: decoder), lastOnly: true, threads: 1)
            ids.append(argmax(logits[0..<tiny.vocab]))
        }
        let (steps, summary) = try run(decoder, maxTokens: 10)
        #expect(steps.map(\.token) == Array(ids[3...]))
        #expect(summary == LlamaGenerator.Summary(thinkingSteps: 0, thinkingEnd: nil, answerTokens: 10))
        #expect(steps.allSatisfy { $0.soft == nil && $0.entropy > 0 })
    }

    /// Each soft token, run by hand: its weights from the logits (the `soft-thinking-weights`
    /// function), its input the weighted mean of the embedding rows, the next logits from that.
    @Test func softThinkingFeedsTheWeightedMeanOfEmbeddings() throws {
        let (tiny, decoder) = try tiny()
        let filters = SoftThinking.Filters(temperature: 0.8, topP: 0.95)
        let phase = LlamaGenerator.SoftThinkingPhase(
            sampler: SoftThinkingSampler(filters: filters, maxTopK: 4, gumbelTau: nil, dirichletAlpha: 1e20), maxSteps: 5)
        let (steps, summary) = try run(decoder, maxTokens: 3, thinking: phase)
        #expect(summary == LlamaGenerator.Summary(thinkingSteps: 5, thinkingEnd: .limit, answerTokens: 3))
        #expect(steps.count == 8)
        let e = tiny.weight("token_embd.weight"), d = tiny.d
        let cache = LlamaCache(for: decoder)
        var logits = try decoder.forward([4, 9, 33], cache: cache, lastOnly: true, threads: 1)
        for step in steps.prefix(5) {
            var noise = SoftThinking.Noise()
            let (ids, w) = try SoftThinking.weights(logits.map(Double.init), filters: filters, maxTopK: 4, noise: &noise)
            #expect(step.soft == zip(ids, w).map { WeightedToken(id: $0, weight: $1) })
            #expect(step.token == ids[0])
            #expect(w.filter { $0 > 0 }.count >= 2, "the tiny model's rows are spread enough to mix several tokens")
            let mean = (0..<d).map { c in Float(zip(ids, w).reduce(0) { $0 + $1.1 * Double(e[$1.0 * d + c]) } / w.reduce(0, +)) }
            logits = try decoder.forward(embeddings: mean, cache: cache, lastOnly: true, threads: 1)
        }
        // Then greedy answers from there.
        for step in steps.suffix(3) {
            #expect(step.soft == nil && step.token == argmax(logits[0..<tiny.vocab]))
            logits = try decoder.forward([step.token], cache: cache, lastOnly: true, threads: 1)
        }
    }

    /// With one token per soft token and no noise, soft thinking is greedy decoding.
    @Test func oneTokenSoftThinkingIsGreedy() throws {
        let (_, decoder) = try tiny()
        let phase = LlamaGenerator.SoftThinkingPhase(
            sampler: SoftThinkingSampler(filters: SoftThinking.Filters(temperature: 0.5), maxTopK: 1, gumbelTau: nil, dirichletAlpha: 1e20),
            maxSteps: 6)
        let soft = try run(decoder, maxTokens: 4, thinking: phase).steps.map(\.token)
        let greedy = try run(decoder, maxTokens: 10).steps.map(\.token)
        #expect(soft == greedy)
    }

    @Test func thinkingEndsAtTheThinkEndTokenAColdStopOrTheLimit() throws {
        let (_, decoder) = try tiny()
        let sampler = SoftThinkingSampler(filters: SoftThinking.Filters(temperature: 1), maxTopK: 3, gumbelTau: nil, dirichletAlpha: 1e20)
        // The limit, then the think-end token fed one-hot.
        let limited = try run(decoder, maxTokens: 2, thinking: .init(sampler: sampler, maxSteps: 3, thinkEnd: 250))
        #expect(limited.summary == LlamaGenerator.Summary(thinkingSteps: 3, thinkingEnd: .limit, answerTokens: 2))
        #expect(limited.steps.count == 6 && limited.steps[3].token == 250 && limited.steps[3].soft == [WeightedToken(id: 250, weight: 1)])
        // The nominal token is the think-end token: that position is fed as it alone.
        let nominal = limited.steps[1].token
        let ended = try run(decoder, maxTokens: 2, thinking: .init(sampler: sampler, maxSteps: 10, thinkEnd: nominal))
        let first = ended.steps.firstIndex { $0.token == nominal }!
        #expect(ended.summary.thinkingEnd == .thinkEndToken && ended.summary.thinkingSteps == first + 1)
        #expect(ended.steps[first].soft == [WeightedToken(id: nominal, weight: 1)])
        #expect(ended.steps.count == first + 1 + 2)
        // Cold stop: every entropy is below 100 nats, so thinking stops after 2 steps, the second
        // replaced by the think-end token.
        let cold = try run(decoder, maxTokens: 1, thinking: .init(sampler: sampler, maxSteps: 10, thinkEnd: 250, coldStop: (100, 2)))
        #expect(cold.summary == LlamaGenerator.Summary(thinkingSteps: 2, thinkingEnd: .coldStop, answerTokens: 1))
        #expect(cold.steps.map(\.token)[1] == 250 && cold.steps.count == 3)
        // A threshold no entropy falls under never stops.
        let warm = try run(decoder, maxTokens: 1, thinking: .init(sampler: sampler, maxSteps: 4, thinkEnd: 250, coldStop: (0, 1)))
        #expect(warm.summary.thinkingEnd == .limit)
    }

    @Test func seededSamplingRepeatsAndStopsAtTheContext() throws {
        let (_, decoder) = try tiny()
        let sampler = FilteredTokenSampler(filters: SoftThinking.Filters(temperature: 1.3, topK: 20))
        let phase = LlamaGenerator.SoftThinkingPhase(
            sampler: SoftThinkingSampler(filters: SoftThinking.Filters(temperature: 1), maxTopK: 5, gumbelTau: 0.5, dirichletAlpha: 2), maxSteps: 4)
        let a = try run(decoder, maxTokens: 8, sampler: sampler, thinking: phase, seed: 3)
        let b = try run(decoder, maxTokens: 8, sampler: sampler, thinking: phase, seed: 3)
        let c = try run(decoder, maxTokens: 8, sampler: sampler, thinking: phase, seed: 4)
        #expect(a.steps == b.steps)
        #expect(a.steps != c.steps)
        // The context (64) bounds the positions: 60 prompt tokens leave room for 4.
        let long = try run(decoder, prompt: Array(repeating: 7, count: 60), maxTokens: 50)
        #expect(long.steps.count == 4)
    }

    @Test func badSettingsAreRefused() throws {
        let (_, decoder) = try tiny()
        let sampler = SoftThinkingSampler(filters: SoftThinking.Filters(), maxTopK: 3, gumbelTau: nil, dirichletAlpha: 1e20)
        #expect(throws: ModelError.self) { try run(decoder, prompt: [], maxTokens: 1) }
        #expect(throws: ModelError.self) { try run(decoder, maxTokens: 1, thinking: .init(sampler: sampler, maxSteps: 0)) }
        #expect(throws: ModelError.self) { try run(decoder, maxTokens: 1, thinking: .init(sampler: sampler, maxSteps: 2, thinkEnd: 258)) }
        #expect(throws: ModelError.self) { try run(decoder, maxTokens: 1, thinking: .init(sampler: sampler, maxSteps: 2, coldStop: (.nan, 1))) }
        #expect(throws: ModelError.self) { try run(decoder, prompt: [300], maxTokens: 1) }
    }
}
