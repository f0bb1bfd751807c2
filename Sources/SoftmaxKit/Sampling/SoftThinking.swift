/// Soft thinking: instead of one sampled token, the next input is the probability-weighted mean
/// of the embeddings of the few most likely tokens. Per row of logits:
///
/// ```
/// 1. p = softmax(logits/T); top-k, then top-p, then min-p, renormalising after each filter
/// 2. Dirichlet noise (α < 10⁶):  gⱼ ~ Gamma(α·pⱼ, 1),  p ← g/Σg      (zero entries stay zero)
/// 3. keep the max_topk largest (ties → lower id), renormalise → weights w over ids
/// 4. Gumbel-softmax noise (optional):  w ← softmax((log w + g)/τ_g),  g ~ Gumbel(0, 1); re-sort
/// 5. soft token e = Σᵢ wᵢ·E[idᵢ] / Σᵢ wᵢ
/// ```
///
/// Filters keep every entry tied at a cut (the threshold semantics of fused sampling kernels):
/// top-k keeps `p ≥` the k-th largest; top-p finds the first entry, in descending order, at which
/// the cumulative mass reaches `top_p` and keeps every entry `≥` it; min-p drops `p < min_p·max p`.
/// When fewer than `max_topk` entries survive, the list is padded with zero-weight ids (the next
/// ids in descending-probability, then ascending-id order); they do not move the soft token.
///
/// Where the spec leaves it open, this follows the fused SGLang sampler the paper's code builds on:
/// the Gumbel noise is indexed by position in the `max_topk` list (it is drawn for that list), the
/// Gamma draws by token id. A row of all `−∞` logits (fully masked) gives zero weights and a zero
/// soft token; a NaN logit is an error, since no token can be chosen from it.
///
/// "LLMs are Single-threaded Reasoners: Demystifying the Working Mechanism of Soft Thinking", 2025
/// (arXiv 2508.03440), and its code (a fork of the Soft-Thinking SGLang sampler).
public enum SoftThinking {
    /// Where the temperature acts relative to the truncation filters.
    public enum Order: String, CaseIterable, Sendable {
        /// Hugging Face `generate`'s warpers: the temperature first, then top-k, top-p and min-p on
        /// `softmax(logits/T)`.
        case hf
        /// llama.cpp's default sampler chain: top-k, top-p and min-p on `softmax(logits)`, then the
        /// temperature on the tokens they keep, `p ∝ exp(logit/T)` over that set.
        case llamaCpp = "llama.cpp"
    }

    /// The filters of step 1 (shared with the plain sampler).
    public struct Filters: Sendable, Equatable {
        /// Softmax temperature T > 0.
        public var temperature: Double
        /// Keep the k largest (with ties); 0 turns the filter off.
        public var topK: Int
        /// Nucleus mass in (0, 1]; 1 turns the filter off.
        public var topP: Double
        /// Relative floor in [0, 1]; 0 turns the filter off.
        public var minP: Double
        /// Whether the temperature acts before the filters (`hf`, the default) or after them.
        public var order: Order

        /// Filters; the defaults turn each one off.
        public init(temperature: Double = 1, topK: Int = 0, topP: Double = 1, minP: Double = 0, order: Order = .hf) {
            self.temperature = temperature
            self.topK = topK
            self.topP = topP
            self.minP = minP
            self.order = order
        }

        func validate() throws {
            guard temperature > 0, temperature.isFinite else { throw SamplingError.parameter("temperature must be finite and > 0, got \(temperature)") }
            guard topK >= 0 else { throw SamplingError.parameter("top_k must be ≥ 0 (0: off), got \(topK)") }
            guard topP > 0, topP <= 1 else { throw SamplingError.parameter("top_p must be in (0, 1], got \(topP)") }
            guard (0...1).contains(minP) else { throw SamplingError.parameter("min_p must be in [0, 1], got \(minP)") }
        }
    }

    /// Where the noise of steps 2 and 4 comes from: given draws (reproducing another
    /// implementation exactly), or a seeded generator.
    public struct Noise: Sendable {
        /// Gumbel(0, 1) values, one per position of the `max_topk` list.
        public var gumbel: [Double]?
        /// Gamma(α·pⱼ, 1) values, one per token id.
        public var gamma: [Double]?
        /// Draws whatever is not given.
        public var generator: SeededGenerator

        /// Given draws, and the seed for what is not given.
        public init(gumbel: [Double]? = nil, gamma: [Double]? = nil, seed: UInt64 = 0) {
            self.gumbel = gumbel
            self.gamma = gamma
            generator = SeededGenerator(seed: seed)
        }
    }

    /// Dirichlet concentrations at or above this are "no noise" (the code's convention).
    public static let noDirichlet = 1e6

    /// Step 1: `softmax(logits/T)` through the filters; zeros outside the kept set. In the
    /// `llama.cpp` order the filters see `softmax(logits)` and the temperature then reweights the
    /// tokens they keep.
    public static func filteredProbabilities(_ logits: [Double], _ filters: Filters) throws -> [Double] {
        try filters.validate()
        if let bad = logits.firstIndex(where: { $0.isNaN }) { throw SamplingError.input("logits[\(bad)] is NaN") }
        var p = [Double](repeating: 0, count: logits.count)
        guard !logits.isEmpty else { return p }
        try logits.withUnsafeBufferPointer { x in
            try p.withUnsafeMutableBufferPointer { y in
                try ExactSoftmax.softmax(
                    RowBatch(x, rows: 1, cols: x.count), into: MutableRowBatch(y, rows: 1, cols: y.count),
                    options: SoftmaxOptions(temperature: filters.order == .hf ? filters.temperature : 1, threads: 1))
            }
        }
        if filters.topK > 0, filters.topK < p.count {
            let threshold = p.sorted(by: >)[filters.topK - 1]
            p = renormalised(p.map { $0 >= threshold ? $0 : 0 })
        }
        if filters.topP < 1 {
            let sorted = p.sorted(by: >)
            var mass = 0.0
            var threshold = 0.0
            for v in sorted {
                mass += v
                threshold = v
                if mass >= filters.topP { break }
            }
            p = renormalised(p.map { $0 >= threshold ? $0 : 0 })
        }
        if filters.minP > 0, let top = p.max() {
            p = renormalised(p.map { $0 < filters.minP * top ? 0 : $0 })
        }
        // A +∞ logit already holds all the mass (split among the +∞ entries): no temperature moves it.
        if filters.order == .llamaCpp, filters.temperature != 1, let top = p.indices.filter({ p[$0] > 0 }).map({ logits[$0] }).max(), top.isFinite {
            let kept = p.indices.filter { p[$0] > 0 }
            var scaled = [Double](repeating: 0, count: p.count)
            for j in kept { scaled[j] = Double.scalarExp((logits[j] - top) / filters.temperature) }
            p = renormalised(scaled)
        }
        return p
    }

    /// Steps 1–4 for one row: the `maxTopK` ids, in descending weight, and their weights.
    ///
    /// - Parameters:
    ///   - logits: one row of language-model logits.
    ///   - filters: temperature, top-k, top-p and min-p, applied in that order.
    ///   - maxTopK: the ids kept in the soft token.
    ///   - gumbelTau: the Gumbel-softmax temperature τ_g > 0, or `nil` for no Gumbel noise.
    ///   - dirichletAlpha: α of the Dirichlet noise; `≥ 10⁶` (the default 10²⁰) is none.
    ///   - noise: given Gumbel and Gamma draws, and the generator for what is not given.
    public static func weights(
        _ logits: [Double], filters: Filters, maxTopK: Int, gumbelTau: Double? = nil, dirichletAlpha: Double = 1e20,
        noise: inout Noise
    ) throws -> (indices: [Int], weights: [Double]) {
        guard maxTopK >= 1 else { throw SamplingError.parameter("max_topk must be ≥ 1, got \(maxTopK)") }
        guard maxTopK <= logits.count else { throw SamplingError.parameter("max_topk \(maxTopK) exceeds the vocabulary of \(logits.count)") }
        guard dirichletAlpha > 0 else { throw SamplingError.parameter("dirichlet_alpha must be > 0, got \(dirichletAlpha)") }
        if let tau = gumbelTau, !(tau > 0 && tau.isFinite) { throw SamplingError.parameter("gumbel_tau must be finite and > 0, got \(tau)") }
        var p = try filteredProbabilities(logits, filters)
        if dirichletAlpha < noDirichlet {
            if let g = noise.gamma, g.count != p.count { throw SamplingError.input("gamma_draws hold \(g.count) values for a vocabulary of \(p.count)") }
            var g = [Double](repeating: 0, count: p.count)
            for j in p.indices where p[j] > 0 {
                g[j] = noise.gamma?[j] ?? noise.generator.gamma(shape: dirichletAlpha * p[j])
                guard g[j] >= 0, g[j].isFinite else { throw SamplingError.input("gamma draw \(g[j]) for token \(j) is not finite and ≥ 0") }
            }
            if g.reduce(0, +) > 0 { p = renormalised(g) }
        }
        // Step 3: descending probability, ties to the lower id.
        let order = p.indices.sorted { (p[$0], -$0) > (p[$1], -$1) }
        var ids = Array(order.prefix(maxTopK))
        var w = renormalised(ids.map { p[$0] })
        if let tau = gumbelTau {
            let g: [Double]
            if let given = noise.gumbel {
                guard given.count == maxTopK else { throw SamplingError.input("gumbel_noise holds \(given.count) values, not max_topk = \(maxTopK)") }
                g = given
            } else {
                g = (0..<maxTopK).map { _ in noise.generator.gumbel() }
            }
            let z = zip(w, g).map { $0 > 0 ? (Double.scalarLog($0) + $1) / tau : -Double.infinity }
            let top = z.max() ?? -.infinity
            if top > -.infinity {
                w = renormalised(z.map { $0 == -.infinity ? 0 : Double.scalarExp($0 - top) })
                let resorted = w.indices.sorted { (w[$0], -ids[$0]) > (w[$1], -ids[$1]) }
                ids = resorted.map { ids[$0] }
                w = resorted.map { w[$0] }
            }
        }
        return (ids, w)
    }

    /// Step 5: `e = Σᵢ wᵢ·E[idᵢ] / Σᵢ wᵢ`, `E` row-major `[V, D]`; zero weights give a zero vector.
    public static func embedding(_ e: [Double], dim d: Int, indices: [Int], weights w: [Double]) throws -> [Double] {
        guard d > 0, e.count % d == 0 else { throw SamplingError.input("E holds \(e.count) values, not a multiple of the width \(d)") }
        let v = e.count / d
        var out = [Double](repeating: 0, count: d)
        let total = w.reduce(0, +)
        guard total > 0 else { return out }
        for (id, weight) in zip(indices, w) where weight != 0 {
            guard (0..<v).contains(id) else { throw SamplingError.input("token id \(id) is outside the \(v) rows of E") }
            for k in 0..<d { out[k] += weight * e[id * d + k] }
        }
        return out.map { $0 / total }
    }

    static func renormalised(_ v: [Double]) -> [Double] {
        let total = v.reduce(0, +)
        return total > 0 ? v.map { $0 / total } : v
    }
}

/// The plain sampler over the same filters: one token per row by inverse-CDF over the filtered
/// distribution in ascending id order, from a given uniform `u ∈ [0, 1)` or a seeded one.
public enum TokenSampler {
    /// The token at `u` of the filtered distribution's CDF in id order (−1 when no token survives), with the distribution.
    public static func sample(_ logits: [Double], filters: SoftThinking.Filters, uniform u: Double) throws -> (token: Int, probabilities: [Double]) {
        guard (0..<1).contains(u) else { throw SamplingError.input("uniform draw \(u) is outside [0, 1)") }
        let p = try SoftThinking.filteredProbabilities(logits, filters)
        guard let last = p.lastIndex(where: { $0 > 0 }) else { return (-1, p) }
        let target = u * p.reduce(0, +)
        var mass = 0.0
        for (j, v) in p.enumerated() where v > 0 {
            mass += v
            if mass > target { return (j, p) }
        }
        return (last, p)
    }
}

/// Errors from the samplers, naming the parameter or input at fault.
public enum SamplingError: Error, Equatable, CustomStringConvertible {
    case parameter(String), input(String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .parameter(s), let .input(s): "sampling: \(s)"
        }
    }
}
