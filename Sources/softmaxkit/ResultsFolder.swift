import Foundation
import SoftmaxLab

/// Where lab results go: `NAME.json` (the document), `NAME-normalizers.csv`,
/// `NAME-elementwise.csv`, `NAME-normalizers.svg`, and `report.html` built from every results
/// document in the folder. Each command's files are written as one set (`OutputFolder.commit`):
/// all of them or none, never mixed with another command's writing into the same folder.
enum ResultsFolder {
    static let defaultPath = "softmaxkit-results"

    /// Fails early, before a long run, when `folder` exists and is not a folder.
    static func prepare(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationErrorMessage("--output \(folder) exists and is not a folder")
        }
    }

    static func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// The path prefix that leads from folder `from` to folder `to` (empty when they are the same,
    /// `../x/` when they are siblings), for links in a page written to `from`.
    static func relative(from: String, to: String) -> String {
        let a = URL(fileURLWithPath: from).standardizedFileURL.pathComponents, b = URL(fileURLWithPath: to).standardizedFileURL.pathComponents
        let common = zip(a, b).prefix { $0 == $1 }.count
        let path = Array(repeating: "..", count: a.count - common) + b[common...]
        return path.isEmpty ? "" : path.joined(separator: "/") + "/"
    }

    /// Writes `files` into the results folder `folder` as one set; returns their paths.
    @discardableResult
    static func commit(_ files: [OutputFolder.File], to folder: String) throws -> [String] {
        try OutputFolder.commit(files, to: folder, option: "--output", replacingPreviousSet: false)
    }

    /// Writes the document and its tables and plot; returns the paths written.
    @discardableResult
    static func write(_ results: LabResults, to folder: String, name: String) throws -> [String] {
        try commit(
            [
                .data(name + ".json", try results.encoded()),
                .text(name + "-normalizers.csv", CSV.normalizers(results)),
                .text(name + "-elementwise.csv", CSV.elementwise(results)),
                .text(name + "-normalizers.svg", ParetoPlot.normalizers(results)),
            ], to: folder)
    }

    /// Merges every lab results document in `folder` into `output/report.html`.
    /// Merges the results in `folder` into `output/report.html`. A shard missing from a split run,
    /// or a results file of the lab's that does not read, is an error naming it — unless
    /// `allowPartial`, when the page says what is missing; other JSON files are skipped with a note.
    @discardableResult
    static func report(from folder: String, to output: String, allowPartial: Bool = false, note: (String) -> Void) throws -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var documents: [LabResults] = []
        var model: ModelLab.Results?, grokking: GrokkingExperiment.Document?, decoder: [DecoderLab.Results] = []
        var solver: GNSExperiment.Document?
        var files = HTMLReport.DataFiles()
        // Links from the page to the files it was made from, relative to the page's folder.
        let base = relative(from: output, to: folder)
        func links(_ names: String...) -> [String] { names.filter { FileManager.default.fileExists(atPath: path(folder, $0)) }.map { base + $0 } }
        var missing = ShardSet.problems(in: names)
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = path(folder, name)
            do {
                switch name {
                case "model.json":
                    model = try ModelLab.Results.read(file)
                    files.model = links(name)
                case "grokking.json":
                    grokking = try GrokkingExperiment.Document.read(file)
                    files.grokking = links(name)
                case "gns.json":
                    solver = try GNSExperiment.Document.read(file)
                    files.solver = links(name)
                case "lm.json", "lm-layers.json":
                    decoder.append(try DecoderLab.Results.read(file))
                    files.decoder.append(links(name))
                default:
                    documents.append(try LabResults.read(file))
                    let stem = String(name.dropLast(".json".count))
                    files.lab += links(name, stem + "-normalizers.csv", stem + "-elementwise.csv")
                }
            } catch {
                let ours = ShardSet.isResultsName(name) || ["model.json", "grokking.json", "gns.json", "lm.json", "lm-layers.json"].contains(name)
                if ours { missing.append("\(error)") } else { note("skipping \(error)") }
            }
        }
        if !missing.isEmpty {
            guard allowPartial else { throw ReportError.incomplete(folder, missing) }
            for problem in missing { note("partial report: \(problem)") }
        }
        guard let merged = LabResults.merged(documents) else { throw ReportError.noResults(folder) }
        let page = HTMLReport.render(merged, model: model, decoder: decoder, grokking: grokking, solver: solver, missing: missing, files: files)
        return try commit([.text("report.html", page)], to: output)[0]
    }
}

/// A plain error message for the command line (exit code 1, message on stderr).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
