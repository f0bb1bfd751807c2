import SoftmaxKit

/// Measures a normalizer's float32 error against the float64 reference over workloads.
public enum AccuracyRunner {
    /// The worst errors of method `id` (with `parameters`) over `workloads` × `lengths` rows.
    public static func measure(
        _ id: String, parameters: [String: ParameterValue] = [:], registry: MethodRegistry = .standard,
        workloads: [LogitWorkload] = LogitWorkload.standard, lengths: [Int] = [1000, 33_333], rowsPerCase: Int = 4
    ) throws -> ErrorMetrics {
        let method = try registry.method(id)
        guard let make = method.normalizer else { throw LabError.notANormalizer(id) }
        let normalizer = try make(method.resolve(parameters))
        var metrics = ErrorMetrics()
        for workload in workloads {
            for n in lengths {
                let exact = workload.values(rows: rowsPerCase, cols: n)
                let x = exact.map { Float($0) }
                let xd = x.map { Double($0) }  // the reference sees the float32 inputs exactly
                var y = [Float](repeating: 0, count: x.count)
                try x.withUnsafeBufferPointer { xb in
                    try y.withUnsafeMutableBufferPointer { yb in
                        try normalizer.normalize(RowBatch(xb, rows: rowsPerCase, cols: n), into: MutableRowBatch(yb, rows: rowsPerCase, cols: n),
                                                 mask: nil, threads: nil)
                    }
                }
                let yd = y.map { Double($0) }
                for r in 0..<rowsPerCase {
                    let row = xd[(r * n)..<((r + 1) * n)]
                    let reference = method.outputScale == .logProbability ? Float64Reference.logSoftmax(row) : Float64Reference.softmax(row)
                    metrics.add(output: yd[(r * n)..<((r + 1) * n)], reference: reference, isDistribution: method.outputScale == .probability)
                }
            }
        }
        return metrics
    }
}
