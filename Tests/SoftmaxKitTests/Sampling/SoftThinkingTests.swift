import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Soft thinking and the plain sampler: the filters against a direct transcription of the spec,
/// tie rules, given noise reproduced exactly, seeded noise reproducible and distributed as it
/// should be, the soft token, and the edge rows.
@Suite struct SoftThinkingTests {
    let registry = MethodRegistry.standard

    /// Spec §19 step 1, written out independently.
    func referenceFilter(_ x: [Double], t: Double, k: Int, topP: Double, minP: Double) -> [Double] {
        let m = x.max()!
        var p = x.map { exp(($0 - m) / t) }
        func renorm() { let s = p.reduce(0, +); p = p.map { $0 / s } }
        renorm()
        if k > 0 && k < p.count { let thr = p.sorted(by: >)[k - 1]; p = p.map { $0 < thr ? 0 : $0 }; renorm() }
        if topP < 1 {
            let sorted = p.sorted(by: >)
            var cum = 0.0, thr = sorted.last!
            for v in sorted { cum += v; if cum >= topP { thr = v; break } }
            p = p.map { $0 < thr ? 0 : $0 }
            renorm()
        }
        if minP > 0 { let top = p.max()!; p = p.map { $0 < minP * top ? 0 : $0 }; renorm() }
        return p
    }

    @Test func filtersMatchTheSpecOverRandomRows() throws {
        var g = SeededGenerator(seed: 31)
        for trial in 0..<300 {
            let v = 2 + trial % 40
            let x = (0..<v).map { _ in 3 * g.normal() }
            let t = [0.5, 1, 2][trial % 3], k = [0, 1, 3, 7][trial % 4], topP = [1, 0.9, 0.5][trial % 3], minP = [0, 0.05, 0.3][(trial / 3) % 3]
            let p = try SoftThinking.filteredProbabilities(x, SoftThinking.Filters(temperature: t, topK: k, topP: topP, minP: minP))
            let r = referenceFilter(x, t: t, k: k, topP: topP, minP: minP)
            #expect(zip(p, r).allSatisfy { abs($0 - $1) < 1e-13 }, "trial \(trial)")
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
            if k > 0 && topP == 1 && minP == 0 { #expect(p.filter { $0 > 0 }.count >= min(k, v)) }
            // The kept set is an upper set: every kept entry beats every dropped one.
            let kept = zip(x, p).filter { $0.1 > 0 }.map(\.0), dropped = zip(x, p).filter { $0.1 == 0 }.map(\.0)
            #expect((kept.min() ?? .infinity) >= (dropped.max() ?? -.infinity))
        }
        // Ties at a cut are all kept.
        let tied = try SoftThinking.filteredProbabilities([2, 2, 1, 0], SoftThinking.Filters(topK: 1))
        #expect(tied[0] == 0.5 && tied[1] == 0.5 && tied[2] == 0 && tied[3] == 0)
    }

    /// llama.cpp's chain, written out: the filters on softmax(logits), then p ∝ exp(logit/T) over
    /// the tokens they keep.
    @Test func llamaCppOrderFiltersFirstThenAppliesTheTemperature() throws {
        var g = SeededGenerator(seed: 5)
        for trial in 0..<200 {
            let v = 3 + trial % 30
            let x = (0..<v).map { _ in 3 * g.normal() }
            let t = [0.3, 0.8, 2.5][trial % 3], k = [0, 2, 5][trial % 3], topP = [1, 0.8, 0.6][(trial / 3) % 3], minP = [0, 0.1][trial % 2]
            let p = try SoftThinking.filteredProbabilities(x, SoftThinking.Filters(temperature: t, topK: k, topP: topP, minP: minP, order: .llamaCpp))
            let kept = referenceFilter(x, t: 1, k: k, topP: topP, minP: minP).map { $0 > 0 }
            let m = zip(x, kept).filter { $0.1 }.map(\.0).max()!
            let e = zip(x, kept).map { $0.1 ? exp(($0.0 - m) / t) : 0 }, s = e.reduce(0, +)
            #expect(zip(p, e).allSatisfy { abs($0 - $1 / s) < 1e-13 }, "trial \(trial)")
        }
        // The orders differ where it matters: at T = 3, hf's top-p 0.9 keeps more tokens.
        let x: [Double] = [4, 2, 1, 0]
        let hf = try SoftThinking.filteredProbabilities(x, SoftThinking.Filters(temperature: 3, topP: 0.9))
        let cpp = try SoftThinking.filteredProbabilities(x, SoftThinking.Filters(temperature: 3, topP: 0.9, order: .llamaCpp))
        #expect(hf.filter { $0 > 0 }.count == 4 && cpp.filter { $0 > 0 }.count == 2)
        // Through the registry: sample-token's `order`.
        let out = try registry.call(
            "sample-token", inputs: ["logits": Tensor(shape: [4], x), "uniform": Tensor(shape: [1], [0.99])],
            parameters: ["temperature": .number(3), "top_p": .number(0.9), "order": .string("llama.cpp")])
        #expect(doubles(out["probs"]).map { $0 > 0 } == [true, true, false, false])
        // +∞ keeps all the mass whatever the temperature.
        let inf = try SoftThinking.filteredProbabilities([.infinity, 1, .infinity], SoftThinking.Filters(temperature: 0.5, order: .llamaCpp))
        #expect(inf == [0.5, 0, 0.5])
    }

    @Test func weightsWithoutNoiseAreTheRenormalisedTopList() throws {
        let x: [Double] = [0.1, 2, -1, 2, 0.5, 1.5]
        let out = try registry.call("soft-thinking-weights", inputs: ["logits": Tensor(shape: [6], x)], parameters: ["max_topk": .number(3)])
        #expect(doubles(out["indices"]) == [1, 3, 5])  // the tie 2 = 2 goes to the lower id first
        let e = [exp(2.0), exp(2.0), exp(1.5)], s = e.reduce(0, +)
        #expect(zip(doubles(out["weights"]), e.map { $0 / s }).allSatisfy { abs($0 - $1) < 1e-14 })
        // Fewer survivors than max_topk: zero-weight padding that does not move the soft token.
        let emb = (0..<12).map(Double.init)
        let padded = try registry.call(
            "soft-thinking-weights", inputs: ["logits": Tensor(shape: [6], x), "E": Tensor(shape: [6, 2], emb)],
            parameters: ["max_topk": .number(4), "top_k": .number(1)])
        #expect(doubles(padded["weights"]) == [0.5, 0.5, 0, 0])
        let expected: [Double] = [4, 5]  // the mean of E[1] = (2, 3) and E[3] = (6, 7)
        #expect(doubles(padded["embedding"]) == expected)
    }

    @Test func givenNoiseIsReproducedExactly() throws {
        let x: [Double] = [1, 0.2, -0.5, 0.7, 1.2, -2]
        let gumbel: [Double] = [0.3, -0.4, 1.1]
        let gamma: [Double] = [0.5, 0.1, 7, 0.9, 0.2, 3]
        let out = try registry.call(
            "soft-thinking-weights",
            inputs: ["logits": Tensor(shape: [6], x), "gumbel_noise": Tensor(shape: [3], gumbel), "gamma_draws": Tensor(shape: [6], gamma)],
            parameters: ["max_topk": .number(3), "top_k": .number(4), "gumbel_tau": .number(0.5), "dirichlet_alpha": .number(2)])
        // top-4 keeps ids 0, 3, 4, 1; the Gamma draws of the dropped ids 2 and 5 are ignored.
        let pTilde: [Double] = [0.5, 0.1, 0, 0.9, 0.2, 0].map { $0 / 1.7 }
        let top = [3, 0, 4], w0 = top.map { pTilde[$0] }, s0 = w0.reduce(0, +)
        let z = zip(w0, gumbel).map { (log($0 / s0) + $1) / 0.5 }, m = z.max()!
        let ez = z.map { exp($0 - m) }, sz = ez.reduce(0, +)
        let expected = zip(top, ez.map { $0 / sz }).sorted { $0.1 > $1.1 }
        #expect(doubles(out["indices"]) == expected.map { Double($0.0) })
        #expect(zip(doubles(out["weights"]), expected.map(\.1)).allSatisfy { abs($0 - $1) < 1e-13 })
        // Uniform draws are turned into Gumbel noise as −log(−log u).
        let u = gumbel.map { exp(-exp(-$0)) }
        let viaUniform = try registry.call(
            "soft-thinking-weights",
            inputs: ["logits": Tensor(shape: [6], x), "uniform": Tensor(shape: [3], u), "gamma_draws": Tensor(shape: [6], gamma)],
            parameters: ["max_topk": .number(3), "top_k": .number(4), "gumbel_tau": .number(0.5), "dirichlet_alpha": .number(2)])
        #expect(zip(doubles(viaUniform["weights"]), doubles(out["weights"])).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func seededNoiseIsReproducibleAndDistributedAsItShouldBe() throws {
        let x: [Double] = [1, 0.5, 0, -0.5, 0.3]
        let noisy: [String: ParameterValue] = ["max_topk": .number(5), "gumbel": .boolean(true), "dirichlet_alpha": .number(3), "seed": .number(7)]
        let a = try registry.call("soft-thinking-weights", inputs: ["logits": Tensor(shape: [5], x)], parameters: noisy)
        let b = try registry.call("soft-thinking-weights", inputs: ["logits": Tensor(shape: [5], x)], parameters: noisy)
        var other = noisy
        other["seed"] = .number(8)
        let c = try registry.call("soft-thinking-weights", inputs: ["logits": Tensor(shape: [5], x)], parameters: other)
        #expect(doubles(a["weights"]) == doubles(b["weights"]) && doubles(a["indices"]) == doubles(b["indices"]))
        #expect(doubles(a["weights"]) != doubles(c["weights"]))
        // Dirichlet(α·p) has mean p: average many seeded draws (Gumbel off).
        let p = try SoftThinking.filteredProbabilities(x, SoftThinking.Filters())
        var noise = SoftThinking.Noise(seed: 11)
        var mean = [Double](repeating: 0, count: 5)
        let draws = 4000
        for _ in 0..<draws {
            let r = try SoftThinking.weights(x, filters: SoftThinking.Filters(), maxTopK: 5, dirichletAlpha: 20, noise: &noise)
            for (id, w) in zip(r.indices, r.weights) { mean[id] += w / Double(draws) }
        }
        // Var of a Dirichlet coordinate is p(1 − p)/(α + 1) ≤ 0.012; 4000 draws → σ of the mean ≤ 0.0018.
        #expect(zip(mean, p).allSatisfy { abs($0 - $1) < 0.01 }, "\(mean) vs \(p)")
    }

    @Test func gammaDrawsHaveTheirMeanAndVariance() {
        var g = SeededGenerator(seed: 5)
        for shape in [0.3, 1, 4.5] {
            let n = 40_000
            let d = (0..<n).map { _ in g.gamma(shape: shape) }
            let mean = d.reduce(0, +) / Double(n), variance = d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
            #expect(abs(mean - shape) < 4 * (shape / Double(n)).squareRoot(), "shape \(shape): mean \(mean)")
            #expect(abs(variance - shape) < 0.06 * shape + 0.01, "shape \(shape): variance \(variance)")
            #expect(d.allSatisfy { $0 >= 0 })
        }
        #expect(g.gamma(shape: 0) == 0)
    }

    @Test func edgeRowsAndErrors() throws {
        let masked = try registry.call(
            "soft-thinking-weights",
            inputs: [
                "logits": Tensor(shape: [2, 3], [-.infinity, -.infinity, -.infinity, 0, 1, 2] as [Double]),
                "E": Tensor(shape: [3, 1], [1, 2, 3] as [Double]),
            ],
            parameters: ["max_topk": .number(2), "gumbel": .boolean(true)])
        #expect(Array(doubles(masked["weights"])[0..<2]) == [0, 0] && doubles(masked["embedding"])[0] == 0)
        #expect(Set(doubles(masked["indices"])[2...]) == [2, 1])  // the two largest, in whatever order the noise leaves them
        let p = try SoftThinking.filteredProbabilities([0, .infinity, .infinity], SoftThinking.Filters())
        #expect(p == [0, 0.5, 0.5])
        #expect(throws: SamplingError.self) { try SoftThinking.filteredProbabilities([0, .nan], SoftThinking.Filters()) }
        #expect(throws: SamplingError.self) { try SoftThinking.filteredProbabilities([0, 1], SoftThinking.Filters(temperature: 0)) }
        #expect(throws: SamplingError.self) { try SoftThinking.filteredProbabilities([0, 1], SoftThinking.Filters(topP: 0)) }
        #expect(throws: SamplingError.self) {
            try registry.call("soft-thinking-weights", inputs: ["logits": Tensor(shape: [3], [0, 1, 2] as [Double])], parameters: ["max_topk": .number(4)])
        }
        #expect(throws: (any Error).self) {
            try registry.call(
                "soft-thinking-weights",
                inputs: ["logits": Tensor(shape: [3], [0, 1, 2] as [Double]), "gumbel_noise": Tensor(shape: [2], [0, 1] as [Double])],
                parameters: ["max_topk": .number(3)])
        }
    }

    @Test func plainSamplerFollowsTheFilteredDistribution() throws {
        let x: [Double] = [1, 0.5, 0, -0.5, 2, -3]
        let filters = SoftThinking.Filters(temperature: 0.8, topP: 0.95)
        let p = try SoftThinking.filteredProbabilities(x, filters)
        // Inverse CDF in id order.
        var cum = 0.0
        for (j, v) in p.enumerated() where v > 0 {
            #expect(try TokenSampler.sample(x, filters: filters, uniform: cum + v / 2).token == j)
            cum += v
        }
        // Seeded draws through the registry: frequencies within 4σ of p.
        let n = 20_000
        let rows = Tensor(shape: [n, 6], (0..<n).flatMap { _ in x })
        let out = try registry.call(
            "sample-token", inputs: ["logits": rows], parameters: ["temperature": .number(0.8), "top_p": .number(0.95), "seed": .number(3)])
        let tokens = doubles(out["token"])
        for (j, v) in p.enumerated() {
            let f = Double(tokens.filter { $0 == Double(j) }.count) / Double(n)
            #expect(abs(f - v) <= 4 * (v * (1 - v) / Double(n)).squareRoot() + 1e-12, "token \(j): \(f) vs \(v)")
        }
        #expect(try TokenSampler.sample([-.infinity, -.infinity], filters: SoftThinking.Filters(), uniform: 0.5).token == -1)
    }
}
