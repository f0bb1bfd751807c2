import SoftmaxAttention
import SoftmaxKit
import Testing

/// Every attention engine in the registry, by being registered: batched 4-d inputs with
/// grouped-query heads equal the per-head 2-d calls, on an odd size, in both precisions; float32
/// agrees with float64; outputs are finite.
@Suite struct AttentionEngineSweepTests {
    static let registry = MethodRegistry.complete
    static let engines = registry.methods.filter { $0.role == .attention }.map(\.id)

    func tensor(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: shape, (0..<shape.reduce(1, *)).map { _ in scale * g.normal() })
    }

    /// 2-d blocks of a 4-d float64 tensor.
    func head(_ t: Tensor, _ b: Int, _ h: Int) -> Tensor {
        guard case let .float64(a) = t.storage else { return t }
        let block = t.shape[2] * t.shape[3], start = (b * t.shape[1] + h) * block
        return Tensor(shape: [t.shape[2], t.shape[3]], Array(a[start..<(start + block)]))
    }

    @Test(arguments: engines)
    func batchedEqualsPerHead(_ id: String) throws {
        let m = try Self.registry.method(id)
        let (n, d) = (37, 12)
        let q = tensor([2, 4, n, d], seed: 1), k = tensor([2, 2, n, d], seed: 2), v = tensor([2, 2, n, 5], seed: 3)
        var shared: [String: Tensor] = [:]
        if m.inputs.contains(where: { $0.name == "W" }) { shared["W"] = tensor([16, d], seed: 4) }
        if m.inputs.contains(where: { $0.name == "L" }) { shared["L"] = tensor([5, d], seed: 5, scale: 0.4) }
        var inputs = shared.merging(["Q": q, "V": v]) { a, _ in a }
        if m.inputs.contains(where: { $0.name == "K" }) { inputs["K"] = k }
        if !m.inputs.contains(where: { $0.name == "K" }) { inputs["V"] = tensor([2, 4, n, 5], seed: 3) }  // SOFT: K = Q, V per query head
        let batched = try Self.registry.call(id, inputs: inputs)
        let out = try #require(batched["out"], "\(id): no out")
        #expect(out.shape == [2, 4, n, 5], "\(id): \(out.shape)")
        // Query head 3 of batch 1 reads key/value head 1.
        var single = shared.merging(["Q": head(q, 1, 3)]) { a, _ in a }
        if m.inputs.contains(where: { $0.name == "K" }) {
            single["K"] = head(k, 1, 1)
            single["V"] = head(v, 1, 1)
        } else {
            single["V"] = head(inputs["V"]!, 1, 3)
        }
        let one = try Self.registry.call(id, inputs: single)
        #expect(head(out, 1, 3) == one["out"], "\(id)")
        let all = try #require(Optional(out).float64)
        #expect(!all.contains { !$0.isFinite }, "\(id): non-finite outputs")
        // float32 agrees with float64 (≤ 1e-3 relative to the output scale: these engines amplify rounding
        // through exponentials and pseudo-inverses).
        let f32 = try Self.registry.call(id, inputs: single.mapValues { $0.converted(toFloat: .float32) })
        let a = try #require(f32["out"].float32), b = try #require(one["out"].float64)
        let scale = max(b.map(abs).max() ?? 1, 1)
        #expect(zip(a, b).allSatisfy { abs(Double($0) - $1) <= 1e-3 * scale }, "\(id)")
    }

    /// Every engine on the odd sizes of the attention tests (N = 1, 63, 65, 500; D = 60), with
    /// grouped-query heads: the batched call equals the per-head call, outputs are finite, and
    /// float32 agrees with float64.
    @Test(arguments: engines, [1, 63, 65, 500])
    func oddSizes(_ id: String, _ n: Int) throws {
        let m = try Self.registry.method(id)
        let d = 60
        let usesKeys = m.inputs.contains { $0.name == "K" }
        let q = tensor([1, 2, n, d], seed: 11), k = tensor([1, 1, n, d], seed: 12)
        let v = tensor([1, usesKeys ? 1 : 2, n, 7], seed: 13)
        var shared: [String: Tensor] = [:]
        if m.inputs.contains(where: { $0.name == "W" }) { shared["W"] = tensor([16, d], seed: 14) }
        if m.inputs.contains(where: { $0.name == "L" }) { shared["L"] = tensor([5, d], seed: 15, scale: 0.4) }
        var inputs = shared.merging(["Q": q, "V": v]) { a, _ in a }
        if usesKeys { inputs["K"] = k }
        let batched = try Self.registry.call(id, inputs: inputs)
        let out = try #require(batched["out"], "\(id): no out")
        #expect(out.shape == [1, 2, n, 7], "\(id) N = \(n): \(out.shape)")
        var single = shared.merging(["Q": head(q, 0, 1), "V": head(v, 0, usesKeys ? 0 : 1)]) { a, _ in a }
        if usesKeys { single["K"] = head(k, 0, 0) }
        let one = try Self.registry.call(id, inputs: single)
        #expect(head(out, 0, 1) == one["out"], "\(id) N = \(n)")
        let b = try #require(one["out"].float64)
        #expect(!b.contains { !$0.isFinite }, "\(id) N = \(n): non-finite outputs")
        let f32 = try Self.registry.call(id, inputs: single.mapValues { $0.converted(toFloat: .float32) })
        let a = try #require(f32["out"].float32, "\(id): no float32 out")
        let scale = max(b.map(abs).max() ?? 1, 1)
        let worst = zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= 1e-3 * scale, "\(id) N = \(n): float32 off by \(worst)")
    }
}
