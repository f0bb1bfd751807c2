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
    public var id: Int
    public var weight: Double

    public init(id: Int, weight: Double) {
        self.id = id
        self.weight = weight
    }
}

/// Inverse-CDF sampling from the filtered distribution (`sample-token`): one draw per row.
public struct FilteredTokenSampler: Sampler {
    public var filters: SoftThinking.Filters

    public init(filters: SoftThinking.Filters) { self.filters = filters }

    public func next(_ logits: [Double], using generator: inout SeededGenerator) throws -> [WeightedToken] {
        let token = try TokenSampler.sample(logits, filters: filters, uniform: Double.random(in: 0..<1, using: &generator)).token
        return token < 0 ? [] : [WeightedToken(id: token, weight: 1)]
    }
}

/// Soft thinking's soft token (`soft-thinking-weights`), its Dirichlet and Gumbel noise drawn from
/// the caller's generator.
public struct SoftThinkingSampler: Sampler {
    public var filters: SoftThinking.Filters
    public var maxTopK: Int
    /// Nil: no Gumbel-softmax noise.
    public var gumbelTau: Double?
    public var dirichletAlpha: Double

    public init(filters: SoftThinking.Filters, maxTopK: Int, gumbelTau: Double?, dirichletAlpha: Double) {
        self.filters = filters
        self.maxTopK = maxTopK
        self.gumbelTau = gumbelTau
        self.dirichletAlpha = dirichletAlpha
    }

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
