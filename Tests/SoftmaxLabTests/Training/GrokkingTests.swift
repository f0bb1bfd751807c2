import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxLab

/// The grokking reproduction's pieces: the task split, the MLP's backward pass against finite
/// differences, the update rules against their formulas, and a short run whose loss must fall.
@Suite struct GrokkingTests {
    @Test func theSplitCoversEveryPairOnce() throws {
        let d = try ModularAddition(modulus: 13, trainFraction: 0.3, seed: 1)
        #expect(d.train.count == Int(0.3 * 169) && d.train.count + d.test.count == 169)
        let keys = (d.train + d.test).map { $0.a * 13 + $0.b }
        #expect(Set(keys).count == 169)
        #expect((d.train + d.test).allSatisfy { $0.label == ($0.a + $0.b) % 13 })
        let again = try ModularAddition(modulus: 13, trainFraction: 0.3, seed: 1), other = try ModularAddition(modulus: 13, trainFraction: 0.3, seed: 2)
        #expect(again.train.map(\.a) == d.train.map(\.a) && other.train.map(\.a) != d.train.map(\.a))
        #expect(throws: TrainingError.self) { try ModularAddition(modulus: 13, trainFraction: 1, seed: 1) }
        #expect(throws: TrainingError.self) { try ModularAddition(modulus: 1, trainFraction: 0.5, seed: 1) }
    }

    /// Mean float64 cross-entropy of the model on the pairs.
    func loss(_ model: GrokkingMLP, _ pairs: [(a: Int, b: Int, label: Int)]) throws -> Double {
        try TrainingLoss.crossEntropy.evaluate(model.forward(pairs, threads: 1).logits, labels: pairs.map(\.label), classes: model.modulus, float64: true).loss
    }

    @Test func backwardMatchesFiniteDifferences() throws {
        let data = try ModularAddition(modulus: 7, trainFraction: 0.5, seed: 3)
        var model = GrokkingMLP(modulus: 7, hidden: 6, seed: 4)
        // Larger weights than the default initialisation, so the loss has curvature to get wrong.
        model.w2 = model.w2.map { $0 * 3 }
        model.w3 = model.w3.map { $0 * 3 }
        let pairs = data.train
        let act = model.forward(pairs, threads: 1)
        let g = try TrainingLoss.crossEntropy.evaluate(act.logits, labels: pairs.map(\.label), classes: 7, float64: true).gradient
        let analytic = model.backward(pairs, act, logitGradient: g, threads: 1)
        let h: Float = 1e-2
        var checked = 0
        for (tensor, grads) in [(0, analytic.w1), (1, analytic.w2), (2, analytic.w3)] {
            for k in stride(from: 0, to: grads.count, by: max(1, grads.count / 25)) {
                var plus = model, minus = model
                switch tensor {
                case 0: plus.w1[k] += h; minus.w1[k] -= h
                case 1: plus.w2[k] += h; minus.w2[k] -= h
                default: plus.w3[k] += h; minus.w3[k] -= h
                }
                let numeric = (try loss(plus, pairs) - loss(minus, pairs)) / Double(2 * h)
                #expect(abs(numeric - Double(grads[k])) <= 2e-3 + 2e-2 * abs(numeric), "w\(tensor + 1)[\(k)]: \(grads[k]) vs \(numeric)")
                checked += 1
            }
        }
        #expect(checked > 60)
        // The logit gradient of the float32 loss is softmax − onehot over n, rows summing to zero.
        let f32 = try TrainingLoss.crossEntropy.evaluate(act.logits, labels: pairs.map(\.label), classes: 7, float64: false).gradient
        for i in 0..<pairs.count { #expect(abs(f32[(i * 7)..<(i * 7 + 7)].reduce(0, +)) < 1e-7) }
    }

    @Test func updateRulesFollowTheirFormulas() {
        var w: [[Float]] = [[1, -2, 0.5]]
        let g: [[Float]] = [[0.3, 0.1, -0.2]]
        var adam = Optimizer(.init(kind: .adam, learningRate: 0.1), shapes: [3])
        adam.update(&w, g)
        // First Adam step: m̂/√v̂ = g/|g|, so each weight moves by lr against the sign of its gradient.
        let moved: [Float] = [0.9, -2.1, 0.6]
        #expect(zip(w[0], moved).allSatisfy { abs($0 - $1) < 1e-6 })
        var v: [[Float]] = [[1, -2, 0.5]]
        var sgd = Optimizer(.init(kind: .sgd, learningRate: 0.5), shapes: [3])
        sgd.update(&v, g)
        sgd.update(&v, g)
        // b₁ = g, b₂ = 0.8g + g: total movement 0.5·(1 + 1.8)·g.
        let start: [Float] = [1, -2, 0.5]
        let expected = zip(start, g[0]).map { $0 - 1.4 * $1 }
        #expect(zip(v[0], expected).allSatisfy { abs($0 - $1) < 1e-6 })
        // ⊥Grad: orthogonal to the weights, with the gradient's norm.
        let perp = Optimizer.orthogonalised(g[0], to: [1, -2, 0.5])
        let along: Float = zip(perp, start).map(*).reduce(0, +)
        #expect(abs(along) < 1e-6)
        let perpNorm: Float = perp.map { $0 * $0 }.reduce(0, +), gradNorm: Float = g[0].map { $0 * $0 }.reduce(0, +)
        #expect(abs(perpNorm - gradNorm) < 1e-6)
    }

    @Test func aShortRunLowersTheLossForEveryConfiguration() throws {
        var setup = GrokkingExperiment.Setup()
        setup.modulus = 11
        setup.hidden = 24
        setup.steps = 30
        setup.logEvery = 10
        setup.threads = 1
        let experiment = try GrokkingExperiment(setup)
        for c in [
            GrokkingExperiment.Configuration(loss: .crossEntropy, optimizer: .init(kind: .adam)),
            .init(loss: .stableMaxCrossEntropy, optimizer: .init(kind: .adam)),
            .init(loss: .crossEntropy, optimizer: .init(kind: .perpGrad)),
            .init(loss: .crossEntropy, optimizer: .init(kind: .sgd, learningRate: 0.5), float64Loss: true),
        ] {
            let run = try experiment.run(c)
            #expect(run.records.first!.step == 0 && run.records.last!.step == 30)
            #expect(run.records.last!.trainLoss < 0.9 * run.records.first!.trainLoss, "\(c.label): \(run.records.map(\.trainLoss))")
            #expect(run.records.last!.trainAccuracy > run.records.first!.trainAccuracy, "\(c.label)")
        }
        // Same seed, same run: the training is deterministic.
        let c = GrokkingExperiment.Configuration(loss: .crossEntropy, optimizer: .init(kind: .adam))
        #expect(try experiment.run(c).records.map(\.trainLoss) == experiment.run(c).records.map(\.trainLoss))
    }

    @Test func collapseIsCountedInTheRecords() throws {
        // Hugely scaled logits collapse every row in float32: the record says so.
        let logits: [Float] = [20, 0, 0, 0, 20, 0]
        #expect(SoftmaxCollapse.collapsed(logits, rows: 2, classes: 3, as: Float.self) == [true, true])
        let r = try TrainingLoss.crossEntropy.evaluate(logits, labels: [0, 1], classes: 3, float64: false)
        #expect(r.gradient[0] == 0 && r.gradient[4] == 0)  // the collapsed rows' correct classes get no gradient
        let d = try TrainingLoss.crossEntropy.evaluate(logits, labels: [0, 1], classes: 3, float64: true)
        #expect(d.gradient[0] != 0)  // float64 still sees e^{−20}
    }
}
