import MatrixMultiply
import SoftmaxKit

/// What `bench` decided from this machine, attached to every `--json` line as `machine`: the CPU
/// and build features, the caches read at run time, the softmax schedule thresholds derived from
/// them, and the matrix multiply's blocking (fixed; BENCHMARKS.md says why).
struct MachineReport: Encodable {
    let cpu = CPUFeatures.current
    let caches = CacheSizes.current
    let scheduleThresholds = Thresholds(SoftmaxScheduleThresholds.machine)
    let gemm = Blocking()

    struct Thresholds: Encodable {
        let l2BatchBytes: Int, fusedPass1BatchBytes: Int
        /// Nil (JSON null) where the output never streams.
        let streamingOutputBytes: Int?
        let streamingSchedules: [String], streamingMinimumThreads: Int
        init(_ t: SoftmaxScheduleThresholds) {
            (l2BatchBytes, fusedPass1BatchBytes) = (t.l2BatchBytes, t.fusedPass1BatchBytes)
            streamingOutputBytes = t.streamingOutputBytes == .max || t.streamingSchedules.isEmpty ? nil : t.streamingOutputBytes
            streamingSchedules = SoftmaxSchedule.allCases.filter(t.streamingSchedules.contains).map(\.rawValue)
            streamingMinimumThreads = t.streamingMinimumThreads
        }
        enum CodingKeys: String, CodingKey {
            case l2BatchBytes = "l2_batch_bytes", fusedPass1BatchBytes = "fused_pass1_batch_bytes"
            case streamingOutputBytes = "streaming_output_bytes", streamingSchedules = "streaming_schedules"
            case streamingMinimumThreads = "streaming_minimum_threads"
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(l2BatchBytes, forKey: .l2BatchBytes)
            try c.encode(fusedPass1BatchBytes, forKey: .fusedPass1BatchBytes)
            try c.encode(streamingOutputBytes, forKey: .streamingOutputBytes)
            try c.encode(streamingSchedules, forKey: .streamingSchedules)
            try c.encode(streamingMinimumThreads, forKey: .streamingMinimumThreads)
        }
    }

    struct Blocking: Encodable {
        let mr = Gemm.mr, nr = Gemm.nr, kc = Gemm.kc, mc = Gemm.mc, nc = Gemm.nc
    }

    enum CodingKeys: String, CodingKey { case cpu, caches, scheduleThresholds = "schedule_thresholds", gemm }

    /// One line for the text output.
    var summary: String {
        func size(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB" }
        return "caches (\(caches.source)): L1d \(size(caches.l1Data)), L2 \(size(caches.l2)), L3 \(size(caches.l3)); "
            + "softmax rows past L2 above \(size(scheduleThresholds.l2BatchBytes)) a thread"
            + (scheduleThresholds.streamingOutputBytes.map {
                ", outputs streamed above \(size($0)) (\(scheduleThresholds.streamingSchedules.joined(separator: ", ")); "
                    + "\(scheduleThresholds.streamingMinimumThreads)+ threads)"
            } ?? "")
    }
}

/// A result with the machine report beside its own keys.
struct WithMachine<Result: Encodable>: Encodable {
    let result: Result
    let machine: MachineReport

    enum CodingKeys: String, CodingKey { case machine }

    func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(machine, forKey: .machine)
    }
}
