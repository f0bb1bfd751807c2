import SoftmaxKit
import Testing

/// The registered methods as their roles' protocols: each agrees with the same method called by
/// name through the registry, gradients agree with central differences, and an id of another role
/// is refused.
@Suite struct MethodRolesTests {
    let registry = MethodRegistry.standard

    func logits(_ count: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in 3 * g.normal() }
    }

    @Test func everyGateSamplerAndNormalizerIdHasItsRole() throws {
        for m in registry.methods {
            switch m.role {
            case .gate: #expect(m.gate != nil, "\(m.id)")
            case .sampler: #expect(m.sampler != nil, "\(m.id)")
            case .normalizer: #expect(m.normalizer != nil, "\(m.id)")
            default: break
            }
        }
        let losses = registry.methods.filter { $0.loss != nil }.map(\.id)
        #expect(Set(losses) == ["cross-entropy", "stablemax-cross-entropy", "z-loss", "comp-sum-loss"])
        for id in losses { #expect(try registry.method(id).role == .loss, "\(id)") }
    }

    @Test(arguments: ["cross-entropy", "stablemax-cross-entropy", "z-loss", "comp-sum-loss"])
    func aLossAgreesWithItsCallAndItsGradientWithDifferences(id: String) throws {
        let (n, c) = (5, 7)
        let x = logits(n * c, seed: 11), labels = [0, 6, 3, 3, 1]
        let loss = try registry.loss(id)
        let r = try loss.evaluate(logits: x, rows: n, classes: c, labels: labels)
        // The per-example losses are the registry call's.
        let (logitsName, labelsName, perExampleName) =
            switch id {
            case "z-loss": ("o", "c", "per_example")
            case "comp-sum-loss": ("h", "y", "loss")
            default: ("logits", "labels", "per_example")
            }
        let out = try registry.call(
            id,
            inputs: [
                logitsName: Tensor(shape: [n, c], x),
                labelsName: Tensor(shape: [n], storage: .int64(labels.map(Int64.init))),
            ])
        #expect(r.perExample == doubles(out[perExampleName]))
        #expect(abs(r.loss - r.perExample.reduce(0, +) / Double(n)) < 1e-14)
        // The gradient is the batch loss's.
        let h = 1e-6
        for k in x.indices {
            var plus = x, minus = x
            plus[k] += h
            minus[k] -= h
            let numeric =
                (try loss.evaluate(logits: plus, rows: n, classes: c, labels: labels).loss
                    - loss.evaluate(logits: minus, rows: n, classes: c, labels: labels).loss) / (2 * h)
            #expect(abs(numeric - r.gradient[k]) < 1e-7, "\(id) ∂/∂x[\(k)]: \(numeric) vs \(r.gradient[k])")
        }
    }

    @Test func crossEntropysParametersReachTheLoss() throws {
        let x = logits(12, seed: 3), labels = [2, -100, 1]
        let plain = try registry.loss("cross-entropy").evaluate(logits: x, rows: 3, classes: 4, labels: labels)
        let smoothed = try registry.loss("cross-entropy", parameters: ["label_smoothing": .number(0.2)])
            .evaluate(logits: x, rows: 3, classes: 4, labels: labels)
        #expect(plain.perExample[1] == 0 && plain.perExample[0] != smoothed.perExample[0])
        let summed = try registry.loss("cross-entropy", parameters: ["reduction": .string("sum")])
            .evaluate(logits: x, rows: 3, classes: 4, labels: labels)
        #expect(abs(summed.loss - plain.perExample.reduce(0, +)) < 1e-14)
    }

    @Test(arguments: ["topk-softmax-gate", "dense-to-sparse-gate", "activation-dense-to-sparse-gate"])
    func aGateAgreesWithItsCall(id: String) throws {
        let (n, d, e) = (4, 3, 5)
        let x = logits(n * d, seed: 5), b1 = logits(e * d, seed: 6), b0 = logits(e, seed: 7)
        let parameters: [String: ParameterValue] = id == "topk-softmax-gate" ? ["k": .number(3)] : ["tau": .number(0.7)]
        let g = try registry.gate(id, parameters: parameters).weights(x, rows: n, dim: d, router: GateRouter(b1: b1, experts: e, b0: b0))
        let out = try registry.call(
            id, inputs: ["x": Tensor(shape: [n, d], x), "B1": Tensor(shape: [e, d], b1), "b0": Tensor(shape: [e], b0)],
            parameters: parameters)
        #expect(g == doubles(out["G"]))
        for i in 0..<n { #expect(abs(g[(i * e)..<((i + 1) * e)].reduce(0, +) - 1) < 1e-14) }
    }

    @Test func theTokenSamplerDrawsWhatTheCallDraws() throws {
        let v = 50
        for seed in 0..<20 {
            let x = logits(v, seed: UInt64(100 + seed))
            let parameters: [String: ParameterValue] = ["top_p": .number(0.9), "temperature": .number(0.8), "seed": .number(Double(seed))]
            var generator = SeededGenerator(seed: UInt64(seed))
            let tokens = try registry.sampler("sample-token", parameters: parameters.filter { $0.key != "seed" }).next(x, using: &generator)
            let out = try registry.call("sample-token", inputs: ["logits": Tensor(shape: [v], x)], parameters: parameters)
            #expect(tokens.map(\.id) == doubles(out["token"]).map { Int($0) } && tokens.map(\.weight) == [1])
        }
    }

    @Test func theSoftThinkingSamplerDrawsWhatTheCallDraws() throws {
        let v = 40
        let parameters: [String: ParameterValue] = ["max_topk": .number(5), "gumbel": .boolean(true), "dirichlet_alpha": .number(2)]
        for seed in 0..<10 {
            let x = logits(v, seed: UInt64(200 + seed))
            var generator = SeededGenerator(seed: UInt64(seed))
            let tokens = try registry.sampler("soft-thinking-weights", parameters: parameters).next(x, using: &generator)
            let out = try registry.call(
                "soft-thinking-weights", inputs: ["logits": Tensor(shape: [v], x)],
                parameters: parameters.merging(["seed": .number(Double(seed))]) { $1 })
            #expect(tokens.map(\.id) == doubles(out["indices"]).map { Int($0) })
            #expect(tokens.map(\.weight) == doubles(out["weights"]))
            #expect(abs(tokens.map(\.weight).reduce(0, +) - 1) < 1e-12)
        }
    }

    @Test func anIdOfAnotherRoleIsRefused() {
        #expect(throws: RegistryError.self) { try registry.loss("softmax") }
        #expect(throws: RegistryError.self) { try registry.gate("cross-entropy") }
        #expect(throws: RegistryError.self) { try registry.sampler("topk-softmax-gate") }
        #expect(throws: RegistryError.self) { try registry.normalizer("gelu") }
        #expect(throws: RegistryError.self) { try registry.activation("softmax") }
        #expect(throws: RegistryError.self) { try registry.loss("cross-entropy", parameters: ["label_smothing": .number(0.1)]) }
    }
}
