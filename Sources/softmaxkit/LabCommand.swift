import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab

/// The main job (`softmaxkit` with no arguments): every registered normalizer and element-wise
/// method measured against the float64 references on the default workloads, with throughput,
/// ranked; writes the results and the HTML report.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "The default run: accuracy × speed of every method, ranked, plus the HTML report (runs when no subcommand is given).")

    @Option(help: "Threads for the speed measurements.")
    var threads: Int = 1

    @Option(help: "Folder for the results and report.html.")
    var output: String = ResultsFolder.defaultPath

    @Flag(help: "Print the results document as JSON instead of tables.")
    var json = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    func run() throws {
        var run = LabRun(variants: MethodVariant.labDefaults())
        run.threads = threads
        let start = Date()
        let results = try run.run(progress: progress)
        let written = try ResultsFolder.write(results, to: output, name: "accuracy")
        let report = try ResultsFolder.report(from: output, to: output, note: progress)
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: written[0])), as: UTF8.self))
        } else {
            print(Ranking.terminalReport(results))
            print("results: \(written.joined(separator: ", "))")
            print("report: \(report)")
        }
        progress(String(format: "done in %.0f s", Date().timeIntervalSince(start)))
    }
}
