import ArgumentParser
import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit bench`: throughput of normalizers, as GB/s and as a fraction of the copy
/// bandwidth measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput (GB/s, elements/ns, fraction of copy bandwidth).",
        discussion: """
            Without --rows/--cols, sweeps rows of 128, 1024, 32768 and 49152 elements at sizes in L1, \
            L2, L3 and memory (256 MiB) for every exact algorithm and log-softmax. Throughput counts \
            4 bytes read + 4 written per float32 element. Build with \
            -Xswiftc -target-cpu -Xswiftc native for representative figures.
            """)

    @Option(name: .customLong("method"), help: "A normalizer id (repeatable); default: every exact algorithm and log-softmax.")
    var methods: [String] = []

    @Option(name: .customLong("param"), help: "A parameter for the methods, NAME=VALUE.")
    var parameters: [String] = []

    @Option(help: "Rows (with --cols: one case instead of the sweep).")
    var rows: Int?

    @Option(help: "Elements per row.")
    var cols: Int?

    @Option(help: "Threads (default 1).")
    var threads: Int = 1

    @Option(name: .customLong("repeat"), help: "Timed repetitions per case; the median is reported.")
    var repeats: Int = 7

    @Option(help: "Time the matrix multiply instead: M,N,K (e.g. 512,512,512).")
    var gemm: String?

    @Option(help: "Attention: sequence length N (queries = keys); times the attention engine given by --method.")
    var seq: Int?

    @Option(help: "Attention: batch.")
    var batch: Int = 1

    @Option(help: "Attention: query heads.")
    var heads: Int = 12

    @Option(name: .customLong("kv-heads"), help: "Attention: key/value heads (default: --heads).")
    var kvHeads: Int?

    @Option(name: .customLong("head-dim"), help: "Attention: head dimension D.")
    var headDim: Int = 64

    @Flag(help: "Attention: causal (top-left) masking.")
    var causal = false

    @Flag(help: "Print one JSON object per case.")
    var json = false

    func validate() throws {
        if (rows == nil) != (cols == nil) { throw ValidationError("--rows and --cols go together") }
        if let rows, rows < 1 { throw ValidationError("--rows must be ≥ 1, got \(rows)") }
        if let cols, cols < 1 { throw ValidationError("--cols must be ≥ 1, got \(cols)") }
        if threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
        if repeats < 1 { throw ValidationError("--repeat must be ≥ 1, got \(repeats)") }
    }

    func run() throws {
        let machine = MachineReport()
        if let advice = machine.cpu.buildAdvice { progress("note: \(advice)") }
        if !json { print(machine.summary) }
        if let seq {
            guard seq >= 1, batch >= 1, heads >= 1, headDim >= 1, (kvHeads ?? heads) >= 1 else {
                throw ValidationError("--seq, --batch, --heads, --kv-heads and --head-dim must be ≥ 1")
            }
            let values = try parseParameters(parameters)
            // Q, out and K, V in float32 (one-head engines also hold an N × N score matrix).
            let kv = kvHeads ?? heads
            try MemoryBudget.require(
                [([batch, heads, seq, headDim], 8), ([batch, kv, seq, headDim], 8), ([seq, seq], 4)],
                for: "bench --seq \(seq) --batch \(batch) --heads \(heads) --head-dim \(headDim)")
            let shape = AttentionShape(batch: batch, heads: heads, kvHeads: kvHeads, queries: seq, keys: seq, headDim: headDim)
            try shape.validate()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if !json { print(Table.row(["method", "B", "H", "Hkv", "N", "D", "causal", "threads", "median s", "GFLOP/s"])) }
            for id in methods.isEmpty ? ["attention"] : methods {
                let r = try AttentionBench.run(id: id, parameters: values, shape: shape, causal: causal, threads: threads, repeats: repeats)
                if json {
                    print(String(decoding: try encoder.encode(WithMachine(result: r, machine: machine)), as: UTF8.self))
                } else {
                    print(
                        Table.row([
                            r.id, "\(r.batch)", "\(r.heads)", "\(r.kvHeads)", "\(r.seq)", "\(r.headDim)", "\(r.causal)",
                            "\(r.threads)", String(format: "%.3e", r.seconds), String(format: "%.1f", r.gflops),
                        ]))
                }
            }
            return
        }
        if let gemm {
            let dims = gemm.split(separator: ",").compactMap { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--gemm takes M,N,K (positive), got '\(gemm)'") }
            try MemoryBudget.require([([dims[0], dims[2]], 4), ([dims[2], dims[1]], 4), ([dims[0], dims[1]], 4)], for: "bench --gemm \(gemm)")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            if !json { print(Table.row(["variant", "M", "N", "K", "threads", "median s", "GFLOP/s"])) }
            for r in GemmBench.run(m: dims[0], n: dims[1], k: dims[2], threads: threads, repeats: repeats) {
                if json {
                    print(String(decoding: try encoder.encode(WithMachine(result: r, machine: machine)), as: UTF8.self))
                } else {
                    print(
                        Table.row([
                            r.variant, "\(r.m)", "\(r.n)", "\(r.k)", "\(r.threads)", String(format: "%.3e", r.seconds),
                            String(format: "%.1f", r.gflops),
                        ]))
                }
            }
            return
        }
        let values = try parseParameters(parameters)
        let variants: [(String, [String: ParameterValue])] =
            methods.isEmpty && values.isEmpty
            ? SpeedRunner.defaultMethods : (methods.isEmpty ? ["softmax"] : methods).map { ($0, values) }
        for (id, params) in variants {  // report bad ids and parameters before measuring anything
            let method = try MethodRegistry.complete.method(id)
            guard method.normalizer != nil else { throw LabError.notANormalizer(id) }
            _ = try method.resolve(params)
        }
        let cases: [SpeedCase]
        if let rows, let cols {
            // Input and output in float32, the largest element size the variants use.
            try MemoryBudget.require([([rows, cols], 8)], for: "bench --rows \(rows) --cols \(cols)")
            cases = variants.map { SpeedCase(method: $0.0, parameters: $0.1, rows: rows, cols: cols, threads: threads) }
        } else {
            cases = SpeedRunner.defaultCases(methods: variants, threads: threads)
        }
        progress("measuring copy bandwidth (\(threads) thread\(threads == 1 ? "" : "s"))…")
        let bandwidth = MemoryBandwidth.measure(threads: threads)
        if !json {
            print(
                String(
                    format: "copy bandwidth: %.1f GB/s (streaming stores: %.1f GB/s), %d thread(s)",
                    bandwidth.copy, bandwidth.streamingCopy, threads))
            print(Table.row(["variant", "rows", "cols", "level", "median s", "GB/s", "elem/ns", "× copy", "schedule"]))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (k, c) in cases.enumerated() {
            progress("[\(k + 1)/\(cases.count)] \(c.label) \(c.rows)×\(c.cols)")
            let r = try SpeedRunner.run(c, bandwidth: bandwidth, repeats: repeats)
            if json {
                print(String(decoding: try encoder.encode(WithMachine(result: r, machine: machine)), as: UTF8.self))
            } else {
                print(
                    Table.row([
                        r.variant, "\(r.rows)", "\(r.cols)", r.level, String(format: "%.3e", r.seconds),
                        String(format: "%.2f", r.gbps), String(format: "%.3f", r.elementsPerNs),
                        String(format: "%.2f", r.fractionOfCopy), r.schedule.map { $0 + (r.streamingStores == true ? ", streaming" : "") } ?? "—",
                    ]))
            }
        }
    }
}

/// Progress on stderr (so stdout stays clean for --json). Stdout is flushed first: when both go to
/// one file, a progress line must not land inside a table row still in stdout's buffer.
func progress(_ message: String) {
    fflush(nil)
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
