import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab
import SoftmaxModels

/// The main job (`softmaxkit` with no arguments): every registered normalizer and element-wise
/// method measured against the float64 references on the default workloads, with throughput,
/// ranked; then, when the MiniLM model and the evaluation texts have been fetched, what the
/// default approximations do to the real model; writes the results and the HTML report.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "The default run: accuracy × speed of every method, ranked, plus the HTML report (runs when no subcommand is given).")

    @Option(help: "Threads for the speed measurements.")
    var threads: Int = 1

    @Option(help: "Folder for the results and report.html.")
    var output: String = ResultsFolder.defaultPath

    @Flag(help: "Print the results document as JSON instead of tables.")
    var json = false

    @Option(help: "The model for the drift table (skipped when absent; scripts/fetch-models.sh fetches it).")
    var model: String = ModelOptions.defaultFolder

    @Option(help: "The evaluation texts for the drift table.")
    var eval: String = "models/eval"

    @Option(help: "The decoder for the short swap table (skipped when absent; scripts/fetch-models.sh fetches it).")
    var decoder: String = LMOptions.defaultModel

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    func run() throws {
        let haveModel =
            FileManager.default.fileExists(atPath: (model as NSString).appendingPathComponent("model.safetensors"))
            && FileManager.default.fileExists(atPath: (eval as NSString).appendingPathComponent("lee.cor"))
        let embedder = haveModel ? try SentenceEmbedder.load(folder: model) : nil
        let data = haveModel ? try EvaluationData.load(folder: eval) : nil
        var run = LabRun(variants: MethodVariant.labDefaults())
        run.threads = threads
        if let embedder, let data {
            // The encoder's real attention rows join the synthetic workloads.
            run.workloads += try ModelLab.attentionWorkloads(embedder, text: data.leeDocuments[0], layers: [0, 5], threads: RowParallel.activeCores)
        }
        let start = Date()
        let results = try run.run(progress: progress)
        let written = try ResultsFolder.write(results, to: output, name: "accuracy")
        var modelTable: String?
        if let embedder, let data {
            let evaluation = ModelEvaluation(embedder: embedder, data: data)
            let swaps = try ModelLab.mainJobSwaps(layerCount: embedder.encoder.config.numHiddenLayers)
            let modelResults = try ModelLab.run(evaluation, swaps: swaps, model: model, note: progress)
            try ResultsFolder.commit([.data("model.json", try modelResults.encoded())], to: output)
            modelTable = ModelLab.table(modelResults)
        } else {
            progress("model drift table skipped: no model at \(model) (scripts/fetch-models.sh fetches it)")
        }
        var decoderTable: String?
        let decoderText = (eval as NSString).appendingPathComponent("para2para_text1.txt")
        if FileManager.default.fileExists(atPath: decoder) && FileManager.default.fileExists(atPath: decoderText) {
            // One window of 512 tokens: the exact decoder and four swaps, a few seconds each.
            let (lm, tokenizer) = try LlamaDecoder.load(path: decoder)
            let ids = Array(tokenizer.encode(try readText(decoderText, option: "--eval")).prefix(512))
            let lmResults = try DecoderLab.run(
                lm, ids: ids, window: 512, swaps: try DecoderLab.mainJobSwaps(layerCount: lm.config.layers), threads: RowParallel.activeCores,
                model: decoder, text: decoderText, note: progress)
            try ResultsFolder.commit([.data("lm.json", try lmResults.encoded())], to: output)
            decoderTable = DecoderLab.table(lmResults)
        } else {
            progress("decoder swap table skipped: no model at \(decoder) (scripts/fetch-models.sh fetches it)")
        }
        let report = try ResultsFolder.report(from: output, to: output, note: progress)
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: written[0])), as: UTF8.self))
        } else {
            print(Ranking.terminalReport(results))
            if let modelTable { print("\nWhat the approximations do to a real model (\(model)):\n" + modelTable + "\n") }
            if let decoderTable { print("What they do to a real decoder (\(decoder), first 512 tokens of the Wikipedia text):\n" + decoderTable + "\n") }
            print("results: \(written.joined(separator: ", "))")
            print("report: \(report)")
        }
        progress(String(format: "done in %.0f s", Date().timeIntervalSince(start)))
    }
}
