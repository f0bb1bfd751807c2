import Foundation
import SoftmaxKit

/// One run of the lab: accuracy of every variant on the workloads, throughput of each, and the
/// machine's copy bandwidth, as a `LabResults` document.
public struct LabRun: Sendable {
    /// The methods (with parameters) to measure.
    public var variants: [MethodVariant]
    /// The logit workloads of the distribution-valued methods.
    public var workloads: [LogitWorkload] = LogitWorkload.lab
    /// The row lengths each logit workload is drawn at.
    public var lengths: [Int] = LogitWorkload.labLengths
    /// Elements per (workload, length) case; ≥ 2 rows each.
    public var elementsPerCase = 1 << 15
    /// Arguments per element-wise workload.
    public var elementwiseCount = 1 << 16
    /// Whether to time each variant as well (off for accuracy-only runs and tests).
    public var measureSpeed = true
    /// Seconds of timing per variant (split over five samples).
    public var speedBudget = 0.3
    /// Threads for the timed runs.
    public var threads = 1

    /// A run over `variants` with the default workloads, lengths and timing.
    public init(variants: [MethodVariant]) { self.variants = variants }

    /// Measures every variant: accuracy against the float64 references, then speed; `progress` receives one line per step.
    public func run(registry: MethodRegistry = .standard, progress: (String) -> Void) throws -> LabResults {
        // Reject bad ids and parameters before measuring anything.
        for v in variants {
            let m = try registry.method(v.id)
            _ = try m.resolve(v.parameters)
            guard m.normalizer != nil || (m.activation != nil && m.reference != nil) else { throw LabError.notElementwise(v.id) }
        }
        var bandwidth = MemoryBandwidth(copy: .nan, streamingCopy: .nan, threads: threads)
        if measureSpeed {
            progress("measuring copy bandwidth…")
            bandwidth = MemoryBandwidth.measure(threads: threads, repeats: 3)
        }
        progress("preparing \(workloads.count) logit workloads × \(lengths.count) row lengths and their float64 references…")
        let cases = AccuracyLab.prepare(workloads, lengths: lengths, elementsPerCase: elementsPerCase)
        var normalizers: [LabResults.NormalizerEntry] = []
        var elementwise: [LabResults.ElementwiseEntry] = []
        for (k, v) in variants.enumerated() {
            let m = try registry.method(v.id)
            progress("[\(k + 1)/\(variants.count)] \(v.label)")
            let speed = measureSpeed ? try Throughput.measure(v, threads: threads, budget: speedBudget, registry: registry) : nil
            if m.normalizer != nil {
                let perWorkload = try AccuracyLab.measureNormalizer(v, on: cases, registry: registry)
                var overall = DistributionMetrics()
                for (_, metrics) in perWorkload { overall.merge(metrics) }
                normalizers.append(
                    .init(
                        variant: v.label, id: v.id, replacement: isReplacement(v, m),
                        overall: overall, workloads: Dictionary(uniqueKeysWithValues: perWorkload.map { ($0.workload, $0.metrics) }),
                        speed: speed))
            } else {
                let perWorkload = try AccuracyLab.measureElementwise(v, count: elementwiseCount, registry: registry)
                var overall = ElementwiseMetrics()
                for (_, metrics) in perWorkload { overall.merge(metrics) }
                elementwise.append(
                    .init(
                        variant: v.label, id: v.id, reference: m.reference?.rawValue ?? "", replacement: m.isReplacement,
                        overall: overall, workloads: Dictionary(uniqueKeysWithValues: perWorkload.map { ($0.workload, $0.metrics) }),
                        speed: speed))
            }
        }
        let ids = Set(variants.map(\.id))
        return LabResults(
            created: ISO8601DateFormatter().string(from: Date()),
            machine: .init(
                cores: RowParallel.activeCores, copyGBps: bandwidth.copy, copyStreamingGBps: bandwidth.streamingCopy,
                fusedMultiplyAdd: Float.fusedMultiplyAdd),
            settings: .init(
                lengths: lengths, elementsPerCase: elementsPerCase, logitWorkloads: workloads.map(\.name),
                speedShape: [96, 1024], threads: threads),
            methods: registry.methods.filter { ids.contains($0.id) }.map(LabResults.MethodInfo.init),
            normalizers: normalizers, elementwise: elementwise)
    }

    /// Whether a variant is a replacement, not an approximation: the method is one, or its
    /// exponential changes the function (base 2).
    func isReplacement(_ v: MethodVariant, _ m: MethodDescriptor) -> Bool {
        if case let .string(name)? = v.parameters["exp"], ExponentialChoice(rawValue: name)?.accuracy == .replacement { return true }
        return m.isReplacement
    }
}
