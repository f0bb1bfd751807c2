import SoftmaxKit

/// The attention role: queries, keys and values in, the attended values out.
///
/// ```
/// out[b, h, i, :] = Σⱼ wᵢⱼ · V[b, h/(H/Hkv), j, :]
/// ```
/// where the weights `wᵢⱼ` are what the engine makes of the scores `scale·q·k` (softmax for exact
/// attention, a sigmoid, a random-feature estimate …). Every engine takes the same row-major Float
/// buffers, `q [B, H, Nq, D]`, `k [B, Hkv, Nk, D]`, `v [B, Hkv, Nk, Dv]` (`Hkv` dividing `H`:
/// grouped-query heads), and writes `out [B, H, Nq, Dv]`. What an engine does beyond that — its
/// causal alignment, window, scale, normalizer, random features — is fixed when it is made
/// (`MethodRegistry.attentionEngine(_:parameters:)`, or an engine's own initializer), so a model
/// calls every engine the same way.
public protocol AttentionEngine: Sendable {
    /// The registry id the engine was made from, for labels and errors.
    var id: String { get }

    /// Writes `out` from `q`, `k` and `v` of `shape`; throws for a shape the engine cannot take.
    func attend(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, shape: AttentionShape,
        into out: UnsafeMutableBufferPointer<Float>) throws
}

extension AttentionEngine {
    /// Checks the buffers against `shape` (every engine's entry check).
    func check(
        q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>, shape: AttentionShape,
        out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try shape.validate()
        for (name, count, expected) in [
            ("Q", q.count, shape.queryCount), ("K", k.count, shape.keyCount), ("V", v.count, shape.valueCount),
            ("out", out.count, shape.outputCount),
        ] where count != expected {
            throw AttentionError.badShape("\(id): \(name) holds \(count) values, the shape needs \(expected)")
        }
    }
}
