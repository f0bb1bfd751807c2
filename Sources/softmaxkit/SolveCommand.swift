import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit solve gns`: the second-order solvers on the softmax problems.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve", abstract: "Second-order solvers on the softmax problems.", subcommands: [GNSCommand.self])
}

struct GNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gns",
        abstract: "Gradient-regularised Newton on LogSumExp, exact and Gauss–Newton Hessians: f − f* per iteration.",
        discussion: """
            The official notebook's setting (Semenov, Jaggi & Doikov 2025): A and b uniform in \
            [-1, 1], rows shifted so that x* = 0, x0 = 1, the metric B = AᵀA, stop at f − f* < 1e-8. \
            Writes gns.json (the traces) and gns.svg (f − f* against the iteration); \
            `softmaxkit report` adds them to the HTML report. The default n = m = 1000 takes minutes.
            """)

    @Option(help: "Dimension n (columns of A).")
    var n: Int = 1000

    @Option(help: "Number of linear functions m (rows of A), ≥ n.")
    var m: Int = 1000

    @Option(help: "Smoothing μ > 0.")
    var mu: Double = 1

    @Option(help: "Seed of A and b.")
    var seed: UInt64 = 3124

    @Option(help: "Outer iterations at most.")
    var iterations: Int = 1000

    @Option(help: "Folder for the JSON and SVG files.")
    var output: String = ResultsFolder.defaultPath

    @Flag(help: "Print the results JSON instead of the table.")
    var json = false

    func run() throws {
        guard n >= 1, m >= n else { throw ValidationErrorMessage("--n must be ≥ 1 and --m ≥ --n (B = AᵀA must be invertible), got n = \(n), m = \(m)") }
        guard mu > 0, mu.isFinite else { throw ValidationErrorMessage("--mu must be finite and > 0, got \(mu)") }
        guard iterations >= 0 else { throw ValidationErrorMessage("--iterations must be ≥ 0, got \(iterations)") }
        var setup = GNSExperiment.Setup()
        (setup.n, setup.m, setup.mu, setup.seed, setup.iterations) = (n, m, mu, seed, iterations)
        try ResultsFolder.prepare(output)
        let document = try GNSExperiment.run(setup, progress: progress)
        let data = try document.encoded()
        try ResultsFolder.commit([.data("gns.json", data), .text("gns.svg", GNSExperiment.svg(document))], to: output)
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        print("hessian  iterations  converged  f − f*      linear rate  seconds")
        for r in document.runs {
            print(
                cell(r.hessian, 9) + cell(String(r.gap.count - 1), 12) + cell(r.converged ? "yes" : "no", 11)
                    + cell(String(format: "%.3e", r.gap.last ?? .nan), 12) + cell(r.rate.map { String(format: "%.3f", $0) } ?? "—", 13)
                    + String(format: "%.1f", r.seconds))
        }
        progress("wrote \(ResultsFolder.path(output, "gns.json")) and gns.svg")
    }
}
