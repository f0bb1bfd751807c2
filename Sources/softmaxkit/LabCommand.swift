import ArgumentParser
import Foundation
import SoftmaxKit
import SoftmaxLab

/// The main job (`softmaxkit` with no arguments): the exact kernels compared on accuracy against
/// the float64 reference and on speed against the measured copy bandwidth, ranked.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "The default comparison of the exact kernels (runs when no subcommand is given).")

    @Option(help: "Threads for the speed measurements.")
    var threads: Int = 1

    @Flag(help: "Print the results as JSON.")
    var json = false

    struct Entry: Encodable {
        let variant: String
        let maxRelativeError: Double
        let maxRowSumError: Double
        let maxScaledError: Double
        let l2GBps: Double
        let memoryGBps: Double
        let fractionOfCopy: Double
    }

    func validate() throws {
        if threads < 1 { throw ValidationError("--threads must be ≥ 1, got \(threads)") }
    }

    func run() throws {
        progress("measuring copy bandwidth…")
        let bandwidth = MemoryBandwidth.measure(threads: threads, repeats: 3)
        var entries: [Entry] = []
        for (id, params) in SpeedRunner.defaultMethods {
            let label = SpeedCase(method: id, parameters: params, rows: 1, cols: 1, threads: threads).label
            progress("\(label): accuracy…")
            let errors = try AccuracyRunner.measure(id, parameters: params)
            progress("\(label): speed…")
            let l2 = try SpeedRunner.run(SpeedCase(method: id, parameters: params, rows: CacheLevel.l2.rows(cols: 1024)!, cols: 1024,
                                                   threads: threads, level: .l2), bandwidth: bandwidth, repeats: 5)
            let memory = try SpeedRunner.run(SpeedCase(method: id, parameters: params, rows: CacheLevel.memory.rows(cols: 32768)!, cols: 32768,
                                                       threads: threads, level: .memory), bandwidth: bandwidth, repeats: 3)
            entries.append(Entry(variant: label, maxRelativeError: errors.maxRelative, maxRowSumError: errors.maxRowSumError,
                                 maxScaledError: errors.maxScaled, l2GBps: l2.gbps, memoryGBps: memory.gbps,
                                 fractionOfCopy: memory.fractionOfCopy))
        }
        // Ranked by out-of-cache throughput: what bounds a real batch.
        entries.sort { $0.memoryGBps > $1.memoryGBps }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        print(String(format: "SoftmaxKit exact kernels, float32, %d thread(s); copy bandwidth %.1f GB/s (streaming %.1f GB/s)",
                     threads, bandwidth.copy, bandwidth.streamingCopy))
        print("accuracy: vs float64 over \(LogitWorkload.standard.map(\.name).joined(separator: ", ")); rows of 1000 and 33333")
        print("speed: L2 = 96 rows × 1024, memory = 2048 rows × 32768 (256 MiB in, 256 MiB out)\n")
        print(Table.render(
            header: ["rank", "variant", "max rel err", "max |Σy−1|", "max |err|/max(1,|ref|)", "L2 GB/s", "memory GB/s", "× copy"],
            rows: entries.enumerated().map { k, e in
                ["\(k + 1)", e.variant, String(format: "%.2e", e.maxRelativeError), String(format: "%.2e", e.maxRowSumError),
                 String(format: "%.2e", e.maxScaledError), String(format: "%.1f", e.l2GBps), String(format: "%.1f", e.memoryGBps),
                 String(format: "%.2f", e.fractionOfCopy)]
            }))
    }
}
