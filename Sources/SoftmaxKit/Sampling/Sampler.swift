/// The sampler role: one row of language-model logits → the next position's token(s).
///
/// A hard sampler returns one token of weight 1; soft thinking returns its soft token's ids and
/// weights (the next input embedding is `Σ weight·E[id]`). Every registered sampler
/// (`MethodRegistry.sampler(_:parameters:)`) is one, so a generation loop swaps them by id; the
/// randomness comes from the caller's generator, so a seeded run repeats exactly.
public protocol Sampler: Sendable {
    /// The tokens for one row of logits, by descending weight; empty when no token survives the
    /// filters.
    func next(_ logits: [Double], using generator: inout SeededGenerator) throws -> [WeightedToken]
}

/// A token id with its weight in a (soft) choice.
public struct WeightedToken: Sendable, Equatable {
    /// The token id.
    public var id: Int
    /// Its weight; a choice's weights sum to 1.
    public var weight: Double

    /// A token with its weight.
    public init(id: Int, weight: Double) {
        self.id = id
        self.weight = weight
    }
}

/// Inverse-CDF sampling from the filtered distribution (`sample-token`): one draw per row.
public struct FilteredTokenSampler: Sampler {
    /// Temperature, top-k, top-p and min-p, applied in that order.
    public var filters: SoftThinking.Filters

    /// A sampler drawing from the distribution `filters` leave.
    public init(filters: SoftThinking.Filters) { self.filters = filters }

    /// One token drawn by inverse CDF in id order with one uniform draw from `generator`; empty when
    /// no token survives the filters.
    public func next(_ logits: [Double], using generator: inout SeededGenerator) throws -> [WeightedToken] {
        let token = try TokenSampler.sample(logits, filters: filters, uniform: Double.random(in: 0..<1, using: &generator)).token
        return token < 0 ? [] : [WeightedToken(id: token, weight: 1)]
    }
}

/// Soft thinking's soft token (`soft-thinking-weights`), its Dirichlet and Gumbel noise drawn from
/// the caller's generator.
public struct SoftThinkingSampler: Sampler {
    /// Temperature, top-k, top-p and min-p, applied before the soft token is formed.
    public var filters: SoftThinking.Filters
    /// The ids kept in the soft token.
    public var maxTopK: Int
    /// Nil: no Gumbel-softmax noise.
    public var gumbelTau: Double?
    /// The Dirichlet concentration α; `≥ 10⁶` is no noise.
    public var dirichletAlpha: Double

    /// Soft thinking's sampler with its filters and noise.
    public init(filters: SoftThinking.Filters, maxTopK: Int, gumbelTau: Double?, dirichletAlpha: Double) {
        self.filters = filters
        self.maxTopK = maxTopK
        self.gumbelTau = gumbelTau
        self.dirichletAlpha = dirichletAlpha
    }

    /// The soft token: the `maxTopK` ids by descending weight, after the filters and the noise.
    public func next(_ logits: [Double], using generator: inout SeededGenerator) throws -> [WeightedToken] {
        var noise = SoftThinking.Noise()
        noise.generator = generator
        defer { generator = noise.generator }
        let r = try SoftThinking.weights(
            logits, filters: filters, maxTopK: maxTopK, gumbelTau: gumbelTau, dirichletAlpha: dirichletAlpha,
            noise: &noise)
        return zip(r.indices, r.weights).map { WeightedToken(id: $0, weight: $1) }
    }
}
