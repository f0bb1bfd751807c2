import Foundation
import SoftmaxKit

/// The reproduction of "Grokking at the Edge of Numerical Stability" (L. Prieto, M. Barsbey,
/// P. Mediano, T. Birdal, 2025, arXiv 2501.04697): full-batch training of the modular-addition MLP
/// with no weight decay, logging train and test accuracy and the fraction of training rows whose
/// float32 softmax has collapsed. The paper's claim: softmax cross-entropy runs into Softmax
/// Collapse and does not generalise, while StableMax cross-entropy and ⊥Grad let it grok.
public struct GrokkingExperiment: Sendable {
    /// One configuration of the comparison: a loss and an optimizer.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The training loss.
        public var loss: TrainingLoss
        /// The optimizer and its settings.
        public var optimizer: Optimizer.Settings
        /// Compute the softmax cross-entropy in float64 instead of float32.
        public var float64Loss = false

        /// A configuration training with `loss` under `optimizer`.
        public init(loss: TrainingLoss, optimizer: Optimizer.Settings, float64Loss: Bool = false) {
            self.loss = loss
            self.optimizer = optimizer
            self.float64Loss = float64Loss
        }

        /// The configuration as the plots and tables label it (`stablemax + adam`).
        public var label: String { "\(loss.rawValue) + \(optimizer.kind.rawValue)\(float64Loss && loss == .crossEntropy ? " (float64 loss)" : "")" }
    }

    /// The task and the model, shared by every configuration of a comparison.
    public struct Setup: Sendable, Codable, Equatable {
        /// The modulus p of the task (a + b mod p).
        public var modulus = 113
        /// Fraction of all p² pairs used for training.
        public var trainFraction = 0.4
        /// Width of the two hidden layers.
        public var hidden = 200
        /// Full-batch training steps.
        public var steps = 2000
        /// Seed of the split and the initial weights.
        public var seed: UInt64 = 42
        /// Steps between logged records.
        public var logEvery = 20
        /// Threads for the forward and backward passes.
        public var threads = RowParallel.activeCores

        /// The paper's setup: p = 113, 40% of the pairs for training, 200 hidden units, 2000 steps.
        public init() {}
    }

    /// The state of a run at one logged step.
    public struct Record: Sendable, Codable, Equatable {
        /// The step number.
        public var step: Int
        /// Training loss at this step.
        public var trainLoss: Double
        /// Training accuracy at this step.
        public var trainAccuracy: Double
        /// Test accuracy at this step.
        public var testAccuracy: Double
        /// Fraction of training rows with `fl32(Σ e^{x − max}) == 1`.
        public var softmaxCollapse: Double
        /// `‖θ‖₂` over all weights.
        public var weightNorm: Double
    }

    /// One configuration's whole run and its summary.
    public struct Run: Sendable, Codable, Equatable {
        /// The configuration trained.
        public var configuration: Configuration
        /// Its label.
        public var label: String
        /// Every logged record, in step order.
        public var records: [Record]
        /// Wall-clock seconds of the run.
        public var seconds: Double
        /// First logged step with test accuracy ≥ 0.9, if any.
        public var grokStep: Int?
        /// First logged step with train accuracy ≥ 0.99, if any.
        public var memoriseStep: Int?
        /// Test accuracy at the last step.
        public var finalTestAccuracy: Double
        /// Best test accuracy over the logged steps.
        public var maxTestAccuracy: Double
        /// Largest fraction of collapsed training rows over the logged steps.
        public var maxSoftmaxCollapse: Double
        /// One line: grokked, memorised without generalising, or neither.
        public var verdict: String
    }

    /// The results file of `softmaxkit train grokking` (`grokking.json`).
    public struct Document: Sendable, Codable {
        /// Identifies the document as grokking results.
        public var kind = "softmaxkit-grokking"
        /// The document's schema version.
        public var schema = 1
        /// The task and model the runs share.
        public var setup: Setup
        /// One run per configuration.
        public var runs: [Run]

        /// A document of `runs` under `setup`.
        public init(setup: Setup, runs: [Run]) {
            self.setup = setup
            self.runs = runs
        }

        /// The document as pretty-printed JSON with sorted keys.
        public func encoded() throws -> Data {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return try encoder.encode(self)
        }

        /// Reads a document written by `encoded()`; throws when the file cannot be read or is not one.
        public static func read(_ path: String) throws -> Document {
            guard let data = FileManager.default.contents(atPath: path) else { throw TrainingError.parameter("cannot read \(path)") }
            return try JSONDecoder().decode(Document.self, from: data)
        }
    }

    /// The task and model.
    public let setup: Setup
    /// The training and test pairs drawn for `setup`.
    public let data: ModularAddition

    /// An experiment for `setup`; throws naming the setting that is out of range.
    public init(_ setup: Setup) throws {
        guard setup.steps >= 1, setup.hidden >= 1, setup.logEvery >= 1, setup.threads >= 1 else {
            throw TrainingError.parameter("steps, hidden, log interval and threads must be ≥ 1")
        }
        // The weights (2p × h, h × h, h × p), Adam's two moments and the gradients, in float32, and
        // the activations of the p² pairs (three layers of h, the p logits).
        guard (2...4096).contains(setup.modulus) else { throw TrainingError.parameter("modulus must be in 2…4096, got \(setup.modulus)") }
        let p = setup.modulus, h = setup.hidden
        try MemoryBudget.require(
            [([3, p, h], 16), ([h, h], 16), ([p, p, h], 24), ([p, p, p], 8)],
            for: "train grokking --modulus \(setup.modulus) --hidden \(setup.hidden)")
        self.setup = setup
        data = try ModularAddition(modulus: setup.modulus, trainFraction: setup.trainFraction, seed: setup.seed)
    }

    /// Trains one configuration from the shared seed; `progress` gets each record as it is logged.
    public func run(_ configuration: Configuration, progress: (Record) -> Void = { _ in }) throws -> Run {
        let p = setup.modulus, threads = setup.threads
        var model = GrokkingMLP(modulus: p, hidden: setup.hidden, seed: setup.seed)
        var optimizer = Optimizer(configuration.optimizer, shapes: [model.w1.count, model.w2.count, model.w3.count])
        let trainLabels = data.train.map(\.label), testLabels = data.test.map(\.label)
        var records = [Record]()
        let start = Date()
        for step in 0...setup.steps {
            let act = model.forward(data.train, threads: threads)
            let (loss, gradient) = try configuration.loss.evaluate(act.logits, labels: trainLabels, classes: p, float64: configuration.float64Loss)
            guard loss.isFinite else { throw TrainingError.parameter("the training loss became \(loss) at step \(step); lower the learning rate") }
            if step % setup.logEvery == 0 || step == setup.steps || [1, 2, 5, 10].contains(step) {
                let test = model.forward(data.test, threads: threads).logits
                let collapsed = SoftmaxCollapse.collapsed(act.logits, rows: trainLabels.count, classes: p, as: Float.self)
                let norm = (model.w1 + model.w2 + model.w3).reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let record = Record(
                    step: step, trainLoss: loss, trainAccuracy: Self.accuracy(act.logits, trainLabels, p),
                    testAccuracy: Self.accuracy(test, testLabels, p),
                    softmaxCollapse: Double(collapsed.filter { $0 }.count) / Double(collapsed.count), weightNorm: norm)
                records.append(record)
                progress(record)
            }
            if step == setup.steps { break }
            let g = model.backward(data.train, act, logitGradient: gradient, threads: threads)
            var parameters = [model.w1, model.w2, model.w3]
            optimizer.update(&parameters, [g.w1, g.w2, g.w3])
            (model.w1, model.w2, model.w3) = (parameters[0], parameters[1], parameters[2])
        }
        let grok = records.first { $0.testAccuracy >= 0.9 }?.step, memorise = records.first { $0.trainAccuracy >= 0.99 }?.step
        let final = records.last?.testAccuracy ?? 0, best = records.map(\.testAccuracy).max() ?? 0
        let chance = 1 / Double(p)
        let verdict: String
        if let grok {
            verdict = "grokked: test accuracy reached 90% at step \(grok)\(memorise.map { " (train 99% at step \($0))" } ?? "")"
        } else if memorise != nil {
            verdict =
                best < 5 * chance
                ? "memorised without generalising: test accuracy stayed near chance (best \(Self.percent(best)), chance \(Self.percent(chance)))"
                : "memorised; test accuracy rose only to \(Self.percent(best)) within \(setup.steps) steps"
        } else {
            verdict = "did not fit the training set within \(setup.steps) steps (train \(Self.percent(records.last?.trainAccuracy ?? 0)))"
        }
        return Run(
            configuration: configuration, label: configuration.label, records: records, seconds: Date().timeIntervalSince(start),
            grokStep: grok, memoriseStep: memorise, finalTestAccuracy: final, maxTestAccuracy: best,
            maxSoftmaxCollapse: records.map(\.softmaxCollapse).max() ?? 0, verdict: verdict)
    }

    static func accuracy(_ logits: [Float], _ labels: [Int], _ c: Int) -> Double {
        var correct = 0
        for (i, y) in labels.enumerated() {
            var best = 0
            for k in 1..<c where logits[i * c + k] > logits[i * c + best] { best = k }
            if best == y { correct += 1 }
        }
        return Double(correct) / Double(max(labels.count, 1))
    }

    static func percent(_ v: Double) -> String { String(format: "%.1f%%", 100 * v) }
}
