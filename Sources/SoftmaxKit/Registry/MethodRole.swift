/// The role a method plays; each role has one call shape.
///
/// | role | maps |
/// |---|---|
/// | normalizer | score rows → weight rows (optional keep-mask, temperature) |
/// | activation | x → y element-wise |
/// | attention | (Q, K, V, mask, scale) → output |
/// | gate | router logits → (expert indices, weights) |
/// | loss | (logits, targets) → per-example loss |
/// | sampler | LM logits → token ids (and their weights), seeded or with given noise |
/// | reduction | rows → one value per row (logsumexp) |
/// | primitive | building blocks of the others (extended exponential, state merge) |
public enum MethodRole: String, CaseIterable, Sendable, Codable {
    case normalizer, activation, attention, gate, loss, sampler, reduction, primitive
}
