import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit train grokking`: the Softmax Collapse / grokking reproduction.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training reproductions.",
        subcommands: [GrokkingCommand.self])
}

struct GrokkingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grokking",
        abstract: "Modular addition (p = 113) with softmax cross-entropy, StableMax cross-entropy and ⊥Grad: does it grok?",
        discussion: """
            Full-batch training of a 2p → h → h → p ReLU MLP (no biases, no weight decay) on \
            (a + b) mod p, from the same seed for every configuration. Without --loss or \
            --optimizer, runs the paper's three: cross-entropy + adam, stablemax-cross-entropy + \
            adam, cross-entropy + perp-grad. Writes grokking.json, grokking-accuracy.svg and \
            grokking-collapse.svg; progress on stderr.
            """)

    @Option(help: "Loss: cross-entropy or stablemax-cross-entropy (default: the three-way comparison).")
    var loss: String?

    @Option(help: "Optimizer: adam, sgd or perp-grad (⊥Grad + adam).")
    var optimizer: String?

    @Option(help: "Learning rate (default: 0.01 for adam and perp-grad, 10 for sgd).")
    var lr: Double?

    @Option(help: "Adam's β₂ (default: 0.999 with StableMax, 0.99 otherwise, as the paper's Figure 1 runs).")
    var beta2: Double?

    @Option(help: "Full-batch steps per configuration.")
    var steps: Int = 2000

    @Option(help: "Seed of the split and of the initial weights.")
    var seed: UInt64 = 42

    @Option(help: "The modulus p.")
    var modulus: Int = 113

    @Option(name: .customLong("train-fraction"), help: "Fraction of the p² pairs used for training.")
    var trainFraction: Double = 0.4

    @Option(help: "Hidden width h.")
    var hidden: Int = 200

    @Option(name: .customLong("log-every"), help: "Steps between logged evaluations.")
    var logEvery: Int = 20

    @Flag(name: .customLong("float64-loss"), help: "Compute the softmax cross-entropy in float64 (default float32).")
    var float64Loss = false

    @Option(help: "Threads (default: the active cores).")
    var threads: Int?

    @Option(help: "Folder for the JSON and SVG files.")
    var output: String = ResultsFolder.defaultPath

    @Flag(help: "Print the results JSON instead of the table.")
    var json = false

    func configurations() throws -> [GrokkingExperiment.Configuration] {
        let losses: [TrainingLoss]
        if let loss {
            guard let l = TrainingLoss(rawValue: loss) else {
                throw ValidationErrorMessage("--loss '\(loss)' is not one of \(TrainingLoss.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            losses = [l]
        } else {
            losses = []
        }
        let kinds: [Optimizer.Kind]
        if let optimizer {
            guard let k = Optimizer.Kind(rawValue: optimizer) else {
                throw ValidationErrorMessage("--optimizer '\(optimizer)' is not one of \(Optimizer.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds = [k]
        } else {
            kinds = []
        }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationErrorMessage("--lr must be finite and > 0, got \(lr)") }
        if let beta2, !(beta2 >= 0 && beta2 < 1) { throw ValidationErrorMessage("--beta2 must be in [0, 1), got \(beta2)") }
        func make(_ l: TrainingLoss, _ k: Optimizer.Kind) -> GrokkingExperiment.Configuration {
            var settings = Optimizer.Settings(kind: k, learningRate: lr)
            settings.beta2 = beta2 ?? (l == .stableMaxCrossEntropy ? 0.999 : 0.99)
            return .init(loss: l, optimizer: settings, float64Loss: float64Loss)
        }
        if losses.isEmpty && kinds.isEmpty {
            return [make(.crossEntropy, .adam), make(.stableMaxCrossEntropy, .adam), make(.crossEntropy, .perpGrad)]
        }
        return (losses.isEmpty ? [.crossEntropy] : losses).flatMap { l in (kinds.isEmpty ? [.adam] : kinds).map { make(l, $0) } }
    }

    func run() throws {
        var setup = GrokkingExperiment.Setup()
        setup.modulus = modulus
        setup.trainFraction = trainFraction
        setup.hidden = hidden
        setup.steps = steps
        setup.seed = seed
        setup.logEvery = logEvery
        if let threads {
            guard threads >= 1 else { throw ValidationErrorMessage("--threads must be ≥ 1, got \(threads)") }
            setup.threads = threads
        }
        let experiment = try GrokkingExperiment(setup)
        let configurations = try configurations()
        try ResultsFolder.prepare(output)
        progress(
            "grokking: p = \(modulus), \(experiment.data.train.count) training and \(experiment.data.test.count) test pairs, MLP \(2 * modulus)→\(hidden)→\(hidden)→\(modulus), \(steps) full-batch steps, seed \(seed)"
        )
        var runs = [GrokkingExperiment.Run]()
        for c in configurations {
            var last = Date()
            let r = try experiment.run(c) { record in
                if Date().timeIntervalSince(last) > 5 || record.step == steps {
                    last = Date()
                    progress(
                        String(
                            format: "  %@  step %5d  loss %.3g  train %.3f  test %.3f  collapsed %.3f",
                            c.label, record.step, record.trainLoss, record.trainAccuracy, record.testAccuracy, record.softmaxCollapse))
                }
            }
            progress("  \(c.label): \(r.verdict) [\(String(format: "%.0f", r.seconds)) s]")
            runs.append(r)
        }
        let document = GrokkingExperiment.Document(setup: setup, runs: runs)
        let data = try document.encoded()
        try ResultsFolder.commit(
            [
                .data("grokking.json", data), .text("grokking-accuracy.svg", GrokkingPlot.accuracy(runs)),
                .text("grokking-collapse.svg", GrokkingPlot.collapse(runs)),
            ], to: output)
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let width = max(13, runs.map(\.label.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        print(pad("configuration", width) + "  final test  best test  grok step  max collapsed  seconds  verdict")
        for r in runs {
            print(
                pad(r.label, width)
                    + String(
                        format: "  %9.1f%%  %8.1f%%  %9@  %13.3f  %7.0f  ", 100 * r.finalTestAccuracy, 100 * r.maxTestAccuracy,
                        (r.grokStep.map(String.init) ?? "—") as NSString, r.maxSoftmaxCollapse, r.seconds) + r.verdict)
        }
        print("wrote \(ResultsFolder.path(output, "grokking.json")), grokking-accuracy.svg, grokking-collapse.svg")
    }
}
