import Foundation
import SoftmaxLab

/// Where lab results go: `NAME.json` (the document), `NAME-normalizers.csv`,
/// `NAME-elementwise.csv`, `NAME-normalizers.svg`, and `report.html` built from every results
/// document in the folder. Each file is written atomically.
enum ResultsFolder {
    static let defaultPath = "softmaxkit-results"

    static func prepare(_ folder: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationErrorMessage("--output \(folder) exists and is not a folder") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw ValidationErrorMessage("cannot create --output \(folder): \((error as NSError).localizedDescription)")
        }
    }

    static func path(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Writes the document and its tables and plot; returns the paths written.
    @discardableResult
    static func write(_ results: LabResults, to folder: String, name: String) throws -> [String] {
        try prepare(folder)
        let files = [
            (name + ".json", nil as String?),
            (name + "-normalizers.csv", CSV.normalizers(results)),
            (name + "-elementwise.csv", CSV.elementwise(results)),
            (name + "-normalizers.svg", ParetoPlot.normalizers(results)),
        ]
        var written: [String] = []
        for (file, text) in files {
            let p = path(folder, file)
            if let text { try AtomicFile.write(text, to: p) } else { try results.write(to: p) }
            written.append(p)
        }
        return written
    }

    /// Merges every lab results document in `folder` into `output/report.html`.
    /// Merges the results in `folder` into `output/report.html`. A shard missing from a split run,
    /// or a results file of the lab's that does not read, is an error naming it — unless
    /// `allowPartial`, when the page says what is missing; other JSON files are skipped with a note.
    @discardableResult
    static func report(from folder: String, to output: String, allowPartial: Bool = false, note: (String) -> Void) throws -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var documents: [LabResults] = []
        var model: ModelLab.Results?, grokking: GrokkingExperiment.Document?
        var missing = ShardSet.problems(in: names)
        for name in names.sorted() where name.hasSuffix(".json") {
            let file = path(folder, name)
            do {
                switch name {
                case "model.json": model = try ModelLab.Results.read(file)
                case "grokking.json": grokking = try GrokkingExperiment.Document.read(file)
                default: documents.append(try LabResults.read(file))
                }
            } catch {
                let ours = ShardSet.isResultsName(name) || name == "model.json" || name == "grokking.json"
                if ours { missing.append("\(error)") } else { note("skipping \(error)") }
            }
        }
        if !missing.isEmpty {
            guard allowPartial else { throw ReportError.incomplete(folder, missing) }
            for problem in missing { note("partial report: \(problem)") }
        }
        guard let merged = LabResults.merged(documents) else { throw ReportError.noResults(folder) }
        try prepare(output)
        let p = path(output, "report.html")
        try AtomicFile.write(HTMLReport.render(merged, model: model, grokking: grokking, missing: missing), to: p)
        return p
    }
}

/// A plain error message for the command line (exit code 1, message on stderr).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
