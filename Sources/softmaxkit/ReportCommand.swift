import ArgumentParser
import SoftmaxLab

/// `softmaxkit report`: every lab results document in a folder, merged into one HTML page.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn the results JSON in a folder into one self-contained HTML page (inline SVG, no network).")

    @Option(help: "Folder to write report.html to.")
    var output: String = ResultsFolder.defaultPath

    @Option(help: "Folder holding the results JSON (default: the output folder).")
    var results: String?

    @Flag(help: "Write the report even when shards are missing or a results file does not read (the page says what is missing).")
    var allowPartial = false

    @Flag(
        help:
            "Also write the merged documents (accuracy.json, model.json, lm.json, lm-layers.json: the shards of a split run joined) to --output, which must then differ from --results."
    )
    var merged = false

    func run() throws {
        let path = try ResultsFolder.report(from: results ?? output, to: output, allowPartial: allowPartial, writeMerged: merged, note: progress)
        print("report: \(path)")
    }
}
