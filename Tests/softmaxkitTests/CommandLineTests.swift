import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab
import SoftmaxNumPy
import Testing

@testable import softmaxkit

/// The command line in process: `methods`, `call` and the error paths (one line naming the fault,
/// a thrown error, no output file left behind).
@Suite(.serialized) struct CommandLineTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "softmaxkit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func run(_ arguments: [String]) throws {
        var command = try SoftmaxKitCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// The one-line message the user would see for `arguments`.
    func failure(_ arguments: [String]) -> String? {
        do {
            try run(arguments)
            return nil
        } catch {
            return SoftmaxKitCommand.message(for: error)
        }
    }

    func write(_ t: Tensor, _ name: String) throws -> String {
        let path = folder + "/" + name
        try NpyFile.write(t, to: path)
        return path
    }

    /// The files in the output folder (none when the folder was never made).
    /// The output files in `out` (the lock and the set record are hidden files).
    func outputs() throws -> [String] {
        let out = folder + "/out"
        return FileManager.default.fileExists(atPath: out) ? try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") } : []
    }

    @Test func methodsRuns() throws {
        try run(["methods"])
        try run(["methods", "--json"])
    }

    @Test func accuracyWritesResultsAndTheReportReadsThem() throws {
        let results = folder + "/results"
        try run([
            "accuracy", "stablemax", "softmax", "gelu-tanh", "--no-speed", "--lengths", "16,100",
            "--workload", "gaussian σ=1", "--output", results,
        ])
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: results))
        // The set, and the lock that serialises writers into the folder (no staging folder left).
        #expect(files == ["accuracy.json", "accuracy-normalizers.csv", "accuracy-elementwise.csv", "accuracy-normalizers.svg", ".softmaxkit.lock"])
        let document = try LabResults.read(results + "/accuracy.json")
        #expect(document.normalizers.map(\.variant).sorted() == ["softmax", "stablemax"])
        #expect(document.normalizers.first { $0.id == "stablemax" }?.replacement == true)
        #expect(document.elementwise.map(\.variant) == ["gelu-tanh"])
        let tanh = document.elementwise[0].overall.maxAbsolute
        #expect(tanh > 1e-4 && tanh < 5e-4)
        // A second run merges into the same report; a file that is not one of the lab's is skipped.
        try run(["accuracy", "sparsemax", "--no-speed", "--lengths", "16", "--workload", "gaussian σ=1", "--shard", "1/1", "--output", results])
        try "{}".write(toFile: results + "/other.json", atomically: true, encoding: .utf8)
        try run(["report", "--output", results])
        let html = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        for id in ["stablemax", "sparsemax", "gelu-tanh", "<svg", "Replacements of softmax"] { #expect(html.contains(id), "\(id)") }
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))  // self-contained
        #expect(!html.contains("Partial report"))
        // Each plot links to the files it was drawn from, relative to the page.
        for link in ["href=\"accuracy.json\"", "href=\"accuracy-normalizers.csv\"", "href=\"accuracy-shard-1-of-1.json\""] {
            #expect(html.contains(link), "\(link)")
        }
        try run(["report", "--results", results, "--output", folder + "/pages"])
        let elsewhere = try String(contentsOfFile: folder + "/pages/report.html", encoding: .utf8)
        #expect(elsewhere.contains("href=\"../results/accuracy.json\""))
    }

    @Test func shardsJoinedEqualTheUnsplitRun() throws {
        let ids = ["puma-softmax", "stablemax", "sparsemax", "gelu-tanh", "puma-gelu"]
        let common = ["--no-speed", "--lengths", "16,40", "--workload", "gaussian σ=1", "--workload", "hostile [90,100]"]
        try run(["accuracy"] + ids + common + ["--output", folder + "/whole"])
        for k in 1...3 { try run(["accuracy"] + ids + common + ["--shard", "\(k)/3", "--output", folder + "/parts"]) }
        try run(["report", "--results", folder + "/parts", "--output", folder + "/joined", "--merged"])
        var whole = try LabResults.read(folder + "/whole/accuracy.json")
        let joined = try LabResults.read(folder + "/joined/accuracy.json")
        #expect(
            joined.normalizers.map(\.variant) == ["puma-softmax", "stablemax", "sparsemax"] && joined.elementwise.map(\.variant) == ["gelu-tanh", "puma-gelu"])
        (whole.created, whole.machine) = (joined.created, joined.machine)
        let (a, b) = (try whole.encoded(), try joined.encoded())
        #expect(a == b, "the joined shards differ from the unsplit run")
        // --merged next to the shards would mix them; refused before anything is written.
        let message = failure(["report", "--output", folder + "/parts", "--merged"])
        #expect(message?.contains("must differ from --results") == true, "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: folder + "/parts/accuracy.json"))
        #expect(failure(["accuracy", "softmax", "--shard", "3/2"])?.contains("--shard takes K/N") == true)
        #expect(failure(["lm", "sweep", "--shard", "0/2"])?.contains("--shard takes K/N") == true)
    }

    @Test func linksLeadFromThePageToTheResults() {
        #expect(ResultsFolder.relative(from: "/a/b", to: "/a/b/") == "")
        #expect(ResultsFolder.relative(from: "/a/b", to: "/a/c") == "../c/")
        #expect(ResultsFolder.relative(from: "/a", to: "/a/b/c") == "b/c/")
        #expect(ResultsFolder.relative(from: "/a/b/c", to: "/a") == "../../")
    }

    @Test func reportRefusesAnIncompleteShardSet() throws {
        let results = folder + "/shards"
        for k in [1, 3] {
            try run([
                "accuracy", "sparsemax", "softmax", "stablemax", "--no-speed", "--lengths", "16", "--workload", "gaussian σ=1", "--shard", "\(k)/3",
                "--output", results,
            ])
        }
        let message = failure(["report", "--output", results])
        #expect(message?.contains("accuracy-shard-2-of-3.json is missing") == true, "\(message ?? "no error")")
        #expect(!FileManager.default.fileExists(atPath: results + "/report.html"))
        // A truncated results file of the lab's is an error too, naming it.
        try run([
            "accuracy", "sparsemax", "softmax", "stablemax", "--no-speed", "--lengths", "16", "--workload", "gaussian σ=1", "--shard", "2/3",
            "--output", results,
        ])
        let whole = try Data(contentsOf: URL(fileURLWithPath: results + "/accuracy-shard-3-of-3.json"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: results + "/accuracy-shard-3-of-3.json"))
        #expect(failure(["report", "--output", results])?.contains("accuracy-shard-3-of-3.json") == true)
        // --allow-partial writes the page and says what is missing.
        try run(["report", "--output", results, "--allow-partial"])
        let html = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        #expect(html.contains("Partial report") && html.contains("accuracy-shard-3-of-3.json"))
    }

    @Test func attentionExperimentWritesItsResults() throws {
        let results = folder + "/attention"
        try run(["accuracy", "--attention", "--lengths", "16,40", "--no-model-qkv", "--output", results])
        let document = try LabResults.read(results + "/attention.json")
        let points = try #require(document.attention, "attention.json has no attention points")
        #expect(Set(points.map(\.n)) == [16, 40] && points.count == 2 * AttentionLengthExperiment.defaultEngines.count)
        // Edge-MoE attention is softmax attention up to float32 rounding; the local window
        // (32 keys back, 31 ahead) sees every key of a 16-token row, so it is exact there too.
        for p in points where p.id == "edge-moe-attention" || (p.engine.hasPrefix("local") && p.n == 16) {
            #expect(p.relativeError < 1e-5, "\(p.engine) N = \(p.n)")
        }
        #expect(FileManager.default.fileExists(atPath: results + "/attention-gaussian.svg"))
        try run(["report", "--output", results])
        let html = try String(contentsOfFile: results + "/report.html", encoding: .utf8)
        #expect(html.contains("Attention: error against sequence length"))
    }

    @Test func accuracyRejectsBadArguments() throws {
        let bad: [[String]] = [
            ["accuracy", "softmax", "--workload", "no such workload", "--no-speed"],
            ["accuracy", "softmax", "--lengths", "0", "--no-speed"],
            ["accuracy", "softmax", "--shard", "3/2", "--no-speed"],
            ["accuracy", "merge-softmax-states", "--no-speed"],
            ["accuracy", "entmax-bisect", "--param", "alpha=1", "--no-speed"],
            ["accuracy", "softmax", "--recorded", folder + "/missing.npy", "--no-speed"],
            ["report", "--output", folder + "/empty"],
        ]
        for arguments in bad {
            #expect(throws: (any Error).self, "\(arguments)") { try run(arguments) }
        }
        let vector = try write(Tensor(shape: [3], [1, 2, 3] as [Float]), "v.npy")
        #expect(throws: (any Error).self) { try run(["accuracy", "softmax", "--recorded", vector, "--no-speed", "--output", folder + "/r"]) }
    }

    @Test func callWritesEveryOutput() throws {
        let x = try write(Tensor(shape: [2, 3], [1, 2, 3, 0, 0, -.infinity] as [Float]), "x.npy")
        try run(["call", "two-pass-softmax", "--input", "x=\(x)", "--output-dir", folder + "/out"])
        #expect(Set(try outputs()) == ["y.npy", "m_sum.npy", "n_sum.npy"])
        let y = try NpyFile.read(folder + "/out/y.npy")
        #expect(y.shape == [2, 3] && y.dtype == .float32)
        guard case let .float32(v) = y.storage else { Issue.record("dtype"); return }
        #expect(abs(v[0] + v[1] + v[2] - 1) < 1e-6 && v[3] == 0.5 && v[5] == 0)
        #expect(try NpyFile.read(folder + "/out/n_sum.npy").shape == [2])
        // The thread count changes nothing in the outputs; a bad one is refused by name.
        let wide = try write(Tensor(shape: [3, 5000], (0..<15000).map { Float(($0 * 7919) % 1000) / 97 }), "wide.npy")
        try run(["call", "softmax", "--input", "x=\(wide)", "--param", "axis=0", "--output-dir", folder + "/all"])
        try run(["call", "softmax", "--input", "x=\(wide)", "--param", "axis=0", "--threads", "1", "--output-dir", folder + "/one"])
        let all = try Data(contentsOf: URL(fileURLWithPath: folder + "/all/y.npy"))
        #expect(all == (try Data(contentsOf: URL(fileURLWithPath: folder + "/one/y.npy"))))
        #expect(failure(["call", "softmax", "--input", "x=\(wide)", "--threads", "0", "--output-dir", folder + "/zero"])?.contains("--threads") == true)
    }

    /// An output folder holds one call's set: a later call's set replaces it whole, a failed call
    /// leaves it as it was, and a staging folder left by a killed run is removed and reported.
    @Test func outputSetsReplaceEachOtherWhole() throws {
        let x = try write(Tensor(shape: [2, 3], [1, 2, 3, 0, 0, -.infinity] as [Float]), "x.npy")
        let out = folder + "/out"
        try run(["call", "two-pass-softmax", "--input", "x=\(x)", "--output-dir", out])
        try run(["call", "logsumexp", "--input", "x=\(x)", "--output-dir", out])
        #expect(Set(try outputs()) == ["y.npy"], "the two-pass call's m_sum and n_sum belong to the replaced set")
        let before = try Data(contentsOf: URL(fileURLWithPath: out + "/y.npy"))
        // A destination that cannot be written fails the call before anything is replaced.
        try FileManager.default.createDirectory(atPath: out + "/m_sum.npy", withIntermediateDirectories: false)
        #expect(failure(["call", "two-pass-softmax", "--input", "x=\(x)", "--output-dir", out])?.contains("m_sum.npy is a folder") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/y.npy")) == before)
        try FileManager.default.removeItem(atPath: out + "/m_sum.npy")
        // A killed run's staging folder is cleaned up by the next writer.
        let stale = out + "/" + OutputFolder.stagingPrefix + "999999"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
        #expect(FileManager.default.createFile(atPath: stale + "/y.npy", contents: Data([1, 2, 3])))
        var notes: [String] = []
        try OutputFolder.write(["y": Tensor(shape: [1], [0.5] as [Float])], to: out) { notes.append($0) }
        #expect(!FileManager.default.fileExists(atPath: stale) && notes.count == 1 && notes[0].contains("interrupted run"))
        #expect(try NpyFile.read(out + "/y.npy") == Tensor(shape: [1], [0.5] as [Float]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { !$0.hasPrefix(OutputFolder.stagingPrefix) })
    }

    /// A results folder takes each lab command's files as one set: a command that fails while
    /// writing leaves the earlier set as it was, and one command's set never removes another's.
    @Test func resultsFoldersTakeEachCommandsFilesAsOneSet() throws {
        struct WriterFailed: Error {}
        let out = folder + "/lab-set"
        try ResultsFolder.commit([.text("a.json", "first a"), .text("a.svg", "first svg")], to: out)
        try ResultsFolder.commit([.text("b.json", "b")], to: out)
        let failing = OutputFolder.File(name: "a.svg") { _ in throw WriterFailed() }
        #expect(throws: WriterFailed.self) { try ResultsFolder.commit([.text("a.json", "second a"), failing], to: out) }
        #expect(try String(contentsOfFile: out + "/a.json", encoding: .utf8) == "first a", "a failed set replaced a file of the earlier one")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: out)) == ["a.json", "a.svg", "b.json", ".softmaxkit.lock"])
        try ResultsFolder.commit([.text("a.json", "second a"), .text("a.svg", "second svg")], to: out)
        #expect(try String(contentsOfFile: out + "/a.svg", encoding: .utf8) == "second svg")
        #expect(try String(contentsOfFile: out + "/b.json", encoding: .utf8) == "b")
    }

    @Test func oneDimensionalInputsGiveZeroDimensionalRowOutputs() throws {
        let x = try write(Tensor(shape: [4], [1, 2, 3, 4] as [Double]), "x1.npy")
        try run(["call", "logsumexp", "--input", "x=\(x)", "--output-dir", folder + "/out"])
        let lse = try NpyFile.read(folder + "/out/y.npy")
        #expect(lse.shape == [] && lse.dtype == .float64)
    }

    @Test func parametersAndDTypeConversion() throws {
        let x = try write(Tensor(shape: [3], storage: .int64([1, 2, 3])), "ints.npy")
        let mask = try write(Tensor(shape: [3], storage: .int32([1, 0, 1])), "mask.npy")
        try run([
            "call", "masked-softmax", "--param", "temperature=2", "--param", "algorithm=online",
            "--input", "x=\(x)", "--input", "mask=\(mask)", "--output-dir", folder + "/out",
        ])
        guard case let .float32(y) = try NpyFile.read(folder + "/out/y.npy").storage else { Issue.record("dtype"); return }
        #expect(y[1] == 0 && abs(y[2] / y[0] - Float(M_E)) < 1e-5)
        // float64 inputs computed in float32 only when asked.
        let d = try write(Tensor(shape: [2], [0.5, 0.25] as [Double]), "doubles.npy")
        try run(["call", "softmax", "--input", "x=\(d)", "--output-dir", folder + "/out", "--dtype", "float32"])
        #expect(try NpyFile.read(folder + "/out/y.npy").dtype == .float32)
    }

    @Test func errorsNameTheFaultAndLeaveNoOutput() throws {
        let x = try write(Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6] as [Float]), "x.npy")
        let out = folder + "/out"
        let cube = try write(Tensor(shape: [1, 1, 2], [1, 2] as [Float]), "cube.npy")
        let badMask = try write(Tensor(shape: [3], storage: .int32([1, 2, 0])), "badmask.npy")
        let garbage = folder + "/garbage.npy"
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("not numpy".utf8)))
        let params = try write(Tensor(shape: [1, 4], [1, 0.5, 0.2, 0.1] as [Float]), "params.npy")
        let cases: [([String], String)] = [
            (["call", "sofmax", "--input", "x=\(x)", "--output-dir", out], "did you mean 'softmax'"),
            (["call", "softmax", "--output-dir", out], "needs input 'x'"),
            (["call", "softmax", "--input", "q=\(x)", "--output-dir", out], "no input 'q'"),
            (["call", "softmax", "--param", "axis=3", "--input", "x=\(cube)", "--output-dir", out], "axis 3 is out of range for input 'x' of shape (1, 1, 2)"),
            (["call", "softmax", "--input", "x=\(folder)/nope.npy", "--output-dir", out], "nope.npy: cannot read: no such file"),
            // Special files: named as what they are, never read (a FIFO would block, /dev/zero never end).
            (["call", "softmax", "--input", "x=\(folder)", "--output-dir", out], "is a directory"),
            (["call", "softmax", "--input", "x=/dev/zero", "--output-dir", out], "/dev/zero: cannot read: not a regular file"),
            (["call", "softmax", "--input", "x=\(garbage)", "--output-dir", out], "garbage.npy: not a NumPy"),
            (["call", "softmax", "--param", "temperature=0", "--input", "x=\(x)", "--output-dir", out], "temperature"),
            (["call", "softmax", "--param", "algorithm=fast", "--input", "x=\(x)", "--output-dir", out], "must be one of"),
            (["call", "softmax", "--param", "beta=1", "--input", "x=\(x)", "--output-dir", out], "no parameter 'beta'"),
            (["call", "masked-softmax", "--input", "x=\(x)", "--input", "mask=\(badMask)", "--output-dir", out], "mask"),
            (["call", "softmax", "--input", "x", "--output-dir", out], "NAME=VALUE"),
            (["bench", "--rows", "0", "--cols", "4"], "--rows"),
            (["bench", "--method", "ext-exp", "--rows", "1", "--cols", "4"], "not a normalizer"),
            // Sizes no memory holds: refused before anything is allocated, never a trap or an abort.
            (["bench", "--rows", "4294967296", "--cols", "4294967296"], "bench --rows 4294967296 --cols 4294967296 needs more bytes than"),
            (["bench", "--rows", "100000000", "--cols", "100000000"], "of memory available"),
            (["bench", "--gemm", "10000000,10000000,10000000"], "bench --gemm"),
            (["bench", "--seq", "100000000"], "bench --seq 100000000"),
            (["call", "local-window-mask", "--param", "n_q=1000000000", "--param", "n_k=1000000000", "--output-dir", out], "n_q × n_k"),
            (["call", "fourier-head", "--param", "n_bins=1000000000", "--input", "params=\(params)", "--output-dir", out], "fourier-head's n_bins"),
            // A name given twice is refused, not the last one taken.
            (
                ["call", "softmax", "--param", "temperature=2", "--param", "temperature=3", "--input", "x=\(x)", "--output-dir", out],
                "--param temperature is given twice"
            ),
            (["call", "softmax", "--input", "x=\(x)", "--input", "x=\(x)", "--output-dir", out], "--input x is given twice"),
        ]
        for (arguments, fragment) in cases {
            let message = failure(arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "no error")")
            #expect(message.map { !$0.contains("\n") } ?? false, "one line: \(message ?? "")")
        }
        #expect(try outputs().isEmpty)
    }

    @Test func aSingleValueOptionGivenTwiceIsRefused() throws {
        #expect(throws: ValidationError.self) { try SoftmaxKitCommand.refuseRepeatedOptions(["train", "grokking", "--steps", "0", "--steps", "2"]) }
        #expect(throws: ValidationError.self) { try SoftmaxKitCommand.refuseRepeatedOptions(["bench", "--rows=2", "--cols", "3", "--rows", "4"]) }
        try SoftmaxKitCommand.refuseRepeatedOptions(["call", "softmax", "--param", "a=1", "--param", "b=2", "--input", "x=a", "--input", "y=b"])
        try SoftmaxKitCommand.refuseRepeatedOptions(["model", "evaluate", "--normalizer", "a", "--normalizer", "b", "--", "--steps", "--steps"])
    }

    @Test func grokkingWritesItsCurvesAndRejectsBadArguments() throws {
        let out = folder + "/grok"
        try run(["train", "grokking", "--modulus", "7", "--hidden", "8", "--steps", "3", "--log-every", "1", "--threads", "1", "--output", out])
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(Set(files) == ["grokking.json", "grokking-accuracy.svg", "grokking-collapse.svg", ".softmaxkit.lock"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/grokking.json"))) as? [String: Any]
        let runs = json?["runs"] as? [[String: Any]]
        #expect(runs?.count == 3 && (runs?.first?["records"] as? [Any])?.count == 4)
        for (arguments, fragment) in [
            (["--loss", "mse"], "--loss 'mse'"), (["--optimizer", "lion"], "--optimizer 'lion'"),
            (["--lr", "-1"], "--lr"), (["--train-fraction", "1.5"], "train fraction"), (["--steps", "0"], "steps"),
            (["--train-fraction", "nan"], "train fraction"), (["--train-fraction", "inf"], "train fraction"),
            (["--modulus", "100000000000"], "modulus"), (["--hidden", "10000000000"], "--hidden 10000000000 needs more bytes"),
            (["--hidden", "100000"], "of memory available"),
        ] {
            let message = failure(["train", "grokking", "--output", folder + "/bad"] + arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "no error")")
        }
    }

    /// The fetched model (scripts/fetch-models.sh), relative to the package root.
    static let modelFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models/all-MiniLM-L6-v2").path
    static var hasModel: Bool { FileManager.default.fileExists(atPath: modelFolder + "/model.safetensors") }

    @Test(.enabled(if: hasModel, "the MiniLM model is not fetched (run scripts/fetch-models.sh)"))
    func modelEmbedBenchAndErrors() throws {
        let texts = folder + "/texts.txt"
        try "A man is playing a guitar.\nShort.\n".write(toFile: texts, atomically: true, encoding: .utf8)
        let out = folder + "/emb.npy"
        try run(["model", "embed", "--model", Self.modelFolder, "--input", texts, "--output", out, "--threads", "1"])
        let e = try NpyFile.read(out)
        #expect(e.shape == [2, 384])
        let evaluation = URL(fileURLWithPath: Self.modelFolder).deletingLastPathComponent().appendingPathComponent("eval").path
        try run(["model", "bench", "--model", Self.modelFolder, "--batch", "1", "--seq", "8", "--repeats", "1", "--eval", evaluation])
        let model = Self.modelFolder
        for (arguments, fragment) in [
            (["model", "embed", "--model", folder, "--input", texts, "--output", out], "no model.safetensors"),
            (["model", "embed", "--model", model, "--input", folder + "/missing.txt", "--output", out], "missing.txt"),
            (["model", "embed", "--model", model, "--normalizer", "gelu", "--input", texts, "--output", out], "not a normalizer"),
            (["model", "embed", "--model", model, "--normalizer", "stablemax", "--layers", "7", "--input", texts, "--output", out], "--layers '7'"),
            (["model", "embed", "--model", model, "--attention", "soft-attention", "--input", texts, "--output", out], "cannot supply"),
            (["model", "bench", "--model", model, "--seq", "600"], "--seq 600"),
            (["model", "bench", "--model", model, "--seq", "8", "--eval", folder + "/none"], "none/lee.cor: cannot read"),
            (
                ["model", "embed", "--model", model, "--normalizer", "softmax", "--param", "bogus=1", "--input", texts, "--output", out],
                "--param bogus: none of the methods swapped in takes it"
            ),
        ] {
            let message = failure(arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "no error")")
        }
    }

    /// The fetched decoder (scripts/fetch-models.sh), relative to the package root.
    static let decoder = URL(fileURLWithPath: modelFolder).deletingLastPathComponent()
        .appendingPathComponent("SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf").path

    /// Every `lm` subcommand on short inputs, and its errors.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: decoder), "SmolLM2 is not fetched (run scripts/fetch-models.sh)"))
    func lmSubcommandsAndErrors() throws {
        let model = Self.decoder, text = folder + "/text.txt", out = folder + "/out"
        try "The city of New York is the most populous city in the United States, on one of the largest natural harbors."
            .write(toFile: text, atomically: true, encoding: .utf8)
        try run(["lm", "tokenize", "--model", model, "--text", "New York", "--json"])
        // Five loads of the model (each some seconds in a debug build): a swapped perplexity, a
        // sweep written to a results folder, generation through a top-left engine (recomputed each
        // step), the benchmark, the recorded workloads.
        try run(["lm", "perplexity", "--model", model, "--text", text, "--window", "8", "--tokens", "12", "--normalizer", "puma-softmax", "--layers", "0-3"])
        try run(["lm", "sweep", "--model", model, "--text", text, "--tokens", "6", "--attention", "sigmoid-attention", "--layers", "2", "--output", out])
        #expect(try DecoderLab.Results.read(out + "/lm.json").rows.map(\.swap) == ["exact", "attention=sigmoid-attention[causal=bottom-right] layers=2"])
        try run([
            "lm", "generate", "--model", model, "--prompt", "Hi", "--attention", "linear-attention", "--max-tokens", "2", "--temperature", "0.7",
            "--sampler-order", "llama.cpp", "--soft-thinking", "--thinking-tokens", "2", "--think-end", ".",
        ])
        try run(["lm", "bench", "--model", model, "--prefill", "4", "--context", "4", "--decode", "2", "--repeats", "1", "--threads", "1"])
        try run(["lm", "record", "--model", model, "--text", text, "--tokens", "6", "--output", folder + "/recorded"])
        #expect(try NpyFile.read(folder + "/recorded/layer29-logits.npy").shape == [54, 6])
        #expect(try NpyFile.read(folder + "/recorded/lm-head-logits.npy").shape == [6, 49152])
        for (arguments, fragment) in [
            (["lm", "perplexity", "--model", folder + "/none.gguf", "--text", text], "none.gguf: no such file"),
            (["lm", "perplexity", "--model", model, "--text", folder + "/none.txt"], "none.txt"),
            (["lm", "perplexity", "--model", model, "--text", text, "--attention", "nystrom-attention"], "no causal form"),
            (["lm", "perplexity", "--model", model, "--text", text, "--normalizer", "gelu"], "not a normalizer"),
            (["lm", "perplexity", "--model", model, "--text", text, "--normalizer", "stablemax", "--layers", "30"], "--layers '30'"),
            (["lm", "perplexity", "--model", model, "--text", text, "--normalizer", "softmax", "--param", "bogus=1"], "--param bogus"),
            (["lm", "sweep", "--model", model, "--text", text, "--window", "1"], "--window must be ≥ 2"),
            (["lm", "sweep", "--model", model, "--text", text, "--per-layer", "--output", out], "--per-layer needs a swap"),
            (["lm", "sweep", "--model", model, "--text", text, "--per-layer", "--normalizer", "stablemax", "--layers", "1"], "leave out --layers"),
            (["lm", "sweep", "--model", model, "--text", text, "--tokens", "1"], "--tokens must be ≥ 2"),
            (["lm", "generate", "--model", model, "--prompt", "Hi", "--top-p", "2", "--temperature", "1"], "top_p"),
            (["lm", "generate", "--model", model, "--prompt", "", "--max-tokens", "2"], "--prompt is empty"),
            (["lm", "generate", "--model", model, "--prompt", "Hi", "--think-end", "."], "add --soft-thinking"),
            (["lm", "generate", "--model", model, "--prompt", "Hi", "--soft-thinking"], "needs --temperature > 0"),
            (["lm", "generate", "--model", model, "--prompt", "Hi", "--sampler-order", "vllm"], "hf or llama.cpp"),
            (["lm", "generate", "--model", model, "--prompt", "Hi", "--soft-thinking", "--temperature", "1", "--max-topk", "0"], "--max-topk"),
            (["lm", "record", "--model", model, "--normalizer", "stablemax", "--output", out], "leave out the swap options"),
        ] {
            let message = failure(arguments)
            #expect(message?.contains(fragment) == true, "\(arguments): \(message ?? "no error")")
        }
    }
}
