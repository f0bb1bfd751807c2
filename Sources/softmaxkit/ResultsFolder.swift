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
    @discardableResult
    static func report(from folder: String, to output: String, note: (String) -> Void) throws -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        var documents: [LabResults] = []
        var model: ModelLab.Results?, grokking: GrokkingExperiment.Document?
        for name in names.sorted() where name.hasSuffix(".json") {
            if name == "model.json" {
                do { model = try ModelLab.Results.read(path(folder, name)) } catch { note("skipping \(path(folder, name)): \(error)") }
                continue
            }
            if name == "grokking.json" {
                do { grokking = try GrokkingExperiment.Document.read(path(folder, name)) } catch { note("skipping \(path(folder, name)): \(error)") }
                continue
            }
            do { documents.append(try LabResults.read(path(folder, name))) } catch let error as ReportError {
                note("skipping \(error)")
            }
        }
        guard let merged = LabResults.merged(documents) else { throw ReportError.noResults(folder) }
        try prepare(output)
        let p = path(output, "report.html")
        try AtomicFile.write(HTMLReport.render(merged, model: model, grokking: grokking), to: p)
        return p
    }
}

/// A plain error message for the command line (exit code 1, message on stderr).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
