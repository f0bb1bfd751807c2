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

    /// Merges the results in `folder` into `output/report.html`: every kind's document or the
    /// shards of its split run, joined in shard order. A shard missing from a split run, or a
    /// results file of the lab's that does not read, is an error naming it — unless
    /// `allowPartial`, when the page says what is missing; other JSON files are skipped with a
    /// note. With `writeMerged`, the merged documents (`accuracy.json`, `model.json`, `lm.json`,
    /// `lm-layers.json`, whichever are present) are written with the page, as one set; `output`
    /// must then be another folder than `folder`, or they would sit beside their own shards.
    @discardableResult
    static func report(from folder: String, to output: String, allowPartial: Bool = false, writeMerged: Bool = false, note: (String) -> Void)
        throws -> String
    {
        if writeMerged, relative(from: output, to: folder).isEmpty {
            throw ValidationErrorMessage("--merged writes the merged documents to --output, which must differ from --results (\(folder))")
        }
        let names = ShardSet.ordered((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        var lab: [LabResults] = [], models: [ModelLab.Results] = [], sweeps: [String: [DecoderLab.Results]] = [:]
        var grokking: GrokkingExperiment.Document?, solver: GNSExperiment.Document?
        var files = HTMLReport.DataFiles(), decoderFiles: [String: [String]] = [:]
        // Links from the page to the files it was made from, relative to the page's folder.
        let base = relative(from: output, to: folder)
        func links(_ names: String...) -> [String] { names.filter { FileManager.default.fileExists(atPath: path(folder, $0)) }.map { base + $0 } }
        var missing = ShardSet.problems(in: names)
        for name in names where name.hasSuffix(".json") {
            let file = path(folder, name)
            let kind = ShardSet.shard(name)?.kind ?? String(name.dropLast(".json".count))
            do {
                switch kind {
                case "model":
                    models.append(try ModelLab.Results.read(file))
                    files.model += links(name)
                case "grokking":
                    grokking = try GrokkingExperiment.Document.read(file)
                    files.grokking = links(name)
                case "gns":
                    solver = try GNSExperiment.Document.read(file)
                    files.solver = links(name)
                case "lm", "lm-layers":
                    sweeps[kind, default: []].append(try DecoderLab.Results.read(file))
                    decoderFiles[kind, default: []] += links(name)
                default:
                    lab.append(try LabResults.read(file))
                    let stem = String(name.dropLast(".json".count))
                    files.lab += links(name, stem + "-normalizers.csv", stem + "-elementwise.csv")
                }
            } catch {
                if ShardSet.isResultsName(name) { missing.append("\(error)") } else { note("skipping \(error)") }
            }
        }
        if !missing.isEmpty {
            guard allowPartial else { throw ReportError.incomplete(folder, missing) }
            for problem in missing { note("partial report: \(problem)") }
        }
        let merged = LabResults.merged(lab)
        let model = models.isEmpty ? nil : try ModelLab.Results.merged(models)
        var decoder: [DecoderLab.Results] = []
        for kind in ["lm", "lm-layers"] {
            guard let shards = sweeps[kind] else { continue }
            decoder.append(try DecoderLab.Results.merged(shards))
            files.decoder.append(decoderFiles[kind] ?? [])
        }
        guard merged != nil || model != nil || !decoder.isEmpty || grokking != nil || solver != nil else { throw ReportError.noResults(folder) }
        let page = HTMLReport.render(merged, model: model, decoder: decoder, grokking: grokking, solver: solver, missing: missing, files: files)
        var set: [OutputFolder.File] = [.text("report.html", page)]
        if writeMerged {
            if let merged { set.append(.data("accuracy.json", try merged.encoded())) }
            if let model { set.append(.data("model.json", try model.encoded())) }
            for (kind, d) in zip(["lm", "lm-layers"].filter { sweeps[$0] != nil }, decoder) { set.append(.data(kind + ".json", try d.encoded())) }
        }
        return try commit(set, to: output)[0]
    }
}

/// A plain error message for the command line (exit code 1, message on stderr).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
