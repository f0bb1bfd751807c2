import ArgumentParser
import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab
import SoftmaxModels
import SoftmaxNumPy

/// `softmaxkit accuracy [IDS...]`: error against the float64 references on the lab's workloads,
/// with each method's throughput, ranked; writes JSON, CSV and an SVG Pareto plot.
struct AccuracyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Error tables against the float64 reference over the workloads, with speed; writes JSON, CSV, SVG.",
        discussion: """
            Without ids, measures every registered normalizer (plus the exact softmax's other \
            algorithms and cheap exponentials) and every element-wise method with a reference \
            (GELU family, SiLU, exp approximations). Parameters apply to every id given. Examples:
              softmaxkit accuracy softmax --param exp=poly3
              softmaxkit accuracy edge-moe-softmax puma-softmax --workload "attention layer 0"
              softmaxkit accuracy softmax puma-softmax --recorded scores.npy --lengths 128
            """)

    @Argument(help: "Method ids (default: all normalizers and element-wise methods with a reference).")
    var ids: [String] = []

    @Option(name: .customLong("param"), help: "A parameter for the ids given, NAME=VALUE.")
    var parameters: [String] = []

    @Option(name: .customLong("workload"), help: "A logit workload by name (repeatable; default: all).")
    var workloads: [String] = []

    @Option(name: .customLong("recorded"), help: "Recorded logits, a 2-d float .npy (rows × cols); repeatable.")
    var recorded: [String] = []

    @Option(help: "Row lengths, comma-separated.")
    var lengths: String = LogitWorkload.labLengths.map(String.init).joined(separator: ",")

    @Flag(name: .customLong("no-speed"), help: "Skip the throughput measurements.")
    var noSpeed = false

    @Option(help: "Threads for the throughput measurements.")
    var threads: Int = 1

    @Option(help: "Run shard K of N (K/N): the K-th of N contiguous blocks of the variants; 'report' joins the shards.")
    var shard: String?

    @Option(help: "Folder for the results (JSON, CSV, SVG).")
    var output: String = ResultsFolder.defaultPath

    @Flag(help: "Run the attention experiment instead: every approximate attention's error against exact attention over --lengths (default 128 … 4096).")
    var attention = false

    @Option(name: .customLong("qkv"), help: "With --attention: recorded Q,K,V of one head, three 2-d .npy files (Q.npy,K.npy,V.npy); repeatable.")
    var qkv: [String] = []

    @Flag(
        name: .customLong("model-qkv"), inversion: .prefixedNo,
        help: "With --attention and no --qkv: add the fetched MiniLM's real Q/K/V (layers 0 and 5, head 0) when present.")
    var modelQKV = true

    @Flag(help: "Print the results document as JSON instead of tables.")
    var json = false

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        _ = try parsedLengths()
        _ = try ShardOption.parse(shard)
    }

    func parsedLengths() throws -> [Int] {
        let values = lengths.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--lengths takes positive integers separated by commas, got '\(lengths)'")
        }
        return values.compactMap { $0 }
    }

    func run() throws {
        if attention { return try runAttention() }
        let values = try parseParameters(parameters)
        var variants = ids.isEmpty ? MethodVariant.labDefaults() : ids.map { MethodVariant($0, values) }
        if ids.isEmpty, !values.isEmpty { throw ValidationError("--param needs method ids") }
        let shard = try ShardOption.parse(self.shard)
        if let shard { variants = shard.block(of: variants, note: progress) }
        var run = LabRun(variants: variants)
        run.lengths = try parsedLengths()
        run.measureSpeed = !noSpeed
        run.threads = threads
        run.workloads = try selectedWorkloads()
        let results = try run.run(progress: progress)
        let name = shard.map { String($0.fileName("accuracy").dropLast(".json".count)) } ?? "accuracy"
        let written = try ResultsFolder.write(results, to: output, name: name)
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: written[0])), as: UTF8.self))
        } else {
            print(Ranking.terminalReport(results))
            print("results: \(written.joined(separator: ", "))")
        }
    }

    func runAttention() throws {
        var experiment = AttentionLengthExperiment()
        if lengths != LogitWorkload.labLengths.map(String.init).joined(separator: ",") { experiment.lengths = try parsedLengths() }
        for triple in qkv {
            let paths = triple.split(separator: ",").map(String.init)
            guard paths.count == 3 else { throw ValidationError("--qkv takes Q.npy,K.npy,V.npy, got '\(triple)'") }
            let t = try paths.map { path -> Tensor in
                let x = try NpyFile.read(path)
                guard x.rank == 2, x.dtype.isFloatingPoint else {
                    throw ValidationErrorMessage("\(path): recorded Q/K/V must be 2-d float arrays [N, D], got \(x.dtype.rawValue) \(x.shapeDescription)")
                }
                return x.converted(toFloat: .float32)
            }
            experiment.recorded.append((((paths[0] as NSString).lastPathComponent as NSString).deletingPathExtension, t[0], t[1], t[2]))
        }
        // Without --qkv, the real encoder's Q/K/V join the Gaussian ones when the model is fetched:
        // head 0 of layers 0 and 5 on the longest Lee document (the model's 256-token limit).
        let model = ModelOptions.defaultFolder, eval = "models/eval"
        if qkv.isEmpty, modelQKV, FileManager.default.fileExists(atPath: model + "/model.safetensors"),
            FileManager.default.fileExists(atPath: eval + "/lee.cor")
        {
            let embedder = try SentenceEmbedder.load(folder: model)
            let text = try EvaluationData.load(folder: eval).leeDocuments.max { $0.count < $1.count } ?? ""
            experiment.recorded += try ModelLab.headQKV(embedder, text: text, layers: [0, 5], head: 0, threads: RowParallel.activeCores)
        }
        let points = try experiment.run(progress: progress)
        let results = LabResults(
            created: ISO8601DateFormatter().string(from: Date()),
            machine: .init(cores: RowParallel.activeCores, copyGBps: .nan, copyStreamingGBps: .nan, fusedMultiplyAdd: Float.fusedMultiplyAdd),
            settings: .init(lengths: experiment.lengths, elementsPerCase: 0, logitWorkloads: [], speedShape: [], threads: 1),
            methods: MethodRegistry.complete.methods.filter { m in experiment.engines.contains { $0.id == m.id } }.map(LabResults.MethodInfo.init),
            normalizers: [], elementwise: [], attention: points)
        let path = ResultsFolder.path(output, "attention.json")
        let plots = Set(points.map(\.workload)).sorted().map { w in
            OutputFolder.File.text("attention-\(w.replacingOccurrences(of: " ", with: "-")).svg", LinePlot.attentionError(points, workload: w))
        }
        try ResultsFolder.commit([.data("attention.json", try results.encoded())] + plots, to: output)
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
            return
        }
        print("Attention: relative error ‖out − exact‖/‖exact‖ against exact softmax attention, one head, D = 64 (replacements: a distance)")
        print(
            Table.render(
                header: ["workload", "engine", "N", "rel. error", "seconds", "exact seconds"],
                rows: points.map {
                    [
                        $0.workload, $0.engine + ($0.replacement ? " (replacement)" : ""), "\($0.n)",
                        Ranking.number($0.relativeError), String(format: "%.2e", $0.seconds), String(format: "%.2e", $0.exactSeconds),
                    ]
                }))
        print("results: \(path)")
    }

    func selectedWorkloads() throws -> [LogitWorkload] {
        var chosen: [LogitWorkload] = []
        for name in workloads {
            guard let w = LogitWorkload.lab.first(where: { $0.name == name }) else {
                throw LabError.unknownWorkload(name, known: LogitWorkload.lab.map(\.name))
            }
            chosen.append(w)
        }
        for path in recorded { chosen.append(try RecordedLogits.load(path)) }
        return chosen.isEmpty ? LogitWorkload.lab : chosen
    }
}

/// Recorded logits from a `.npy` file as a workload.
enum RecordedLogits {
    static func load(_ path: String) throws -> LogitWorkload {
        let tensor = try NpyFile.read(path)
        guard tensor.rank == 2, tensor.dtype.isFloatingPoint, tensor.shape[0] >= 1, tensor.shape[1] >= 1 else {
            throw ValidationErrorMessage(
                "\(path): recorded logits must be a non-empty 2-d float array (rows × cols), got \(tensor.dtype.rawValue) \(tensor.shapeDescription)")
        }
        let values = try tensor.floatingPoint(as: Double.self, name: path, rounding: true)
        let name = "recorded " + ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return LogitWorkload(name: name, distribution: .recorded(rows: tensor.shape[0], cols: tensor.shape[1], values: values), seed: 0)
    }
}
