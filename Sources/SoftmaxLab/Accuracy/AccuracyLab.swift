import SoftmaxKit

/// Measures methods against the float64 references on the lab's workloads, in float32 (the
/// precision the methods are deployed in). Inputs are rounded to float32 first and the reference
/// sees those rounded values, so the figures are the method's own error.
public enum AccuracyLab {
    /// Logit rows and their exact softmax, prepared once and shared by every normalizer.
    public struct LogitCase: Sendable {
        /// The workload the rows come from.
        public let workload: String
        public let rows: Int, cols: Int
        /// The rows, rounded to float32 (what the methods see).
        public let x: [Float]
        /// The float64 reference softmax of those rounded rows.
        public let exact: [Double]
    }

    /// Draws every (workload, row length) case of `elementsPerCase` elements (at least two rows) and computes its reference.
    public static func prepare(_ workloads: [LogitWorkload], lengths: [Int], elementsPerCase: Int) -> [LogitCase] {
        workloads.flatMap { w in
            w.batches(lengths: lengths, elementsPerCase: elementsPerCase).map { batch in
                let x = batch.values.map { Float($0) }
                let xd = x.map { Double($0) }
                var exact: [Double] = []
                exact.reserveCapacity(x.count)
                for r in 0..<batch.rows { exact += SoftmaxReference.softmax(xd[(r * batch.cols)..<((r + 1) * batch.cols)]) }
                return LogitCase(workload: w.name, rows: batch.rows, cols: batch.cols, x: x, exact: exact)
            }
        }
    }

    /// A normalizer's metrics per workload (merged over row lengths), in workload order.
    public static func measureNormalizer(_ v: MethodVariant, on cases: [LogitCase], registry: MethodRegistry = .standard) throws
        -> [(workload: String, metrics: DistributionMetrics)]
    {
        let method = try registry.method(v.id)
        guard let make = method.normalizer else { throw LabError.notANormalizer(v.id) }
        let normalizer = try make(method.resolve(v.parameters))
        let logScale = method.outputScale == .logProbability
        var result: [(workload: String, metrics: DistributionMetrics)] = []
        for c in cases {
            var y = [Float](repeating: 0, count: c.x.count)
            try c.x.withUnsafeBufferPointer { xb in
                try y.withUnsafeMutableBufferPointer { yb in
                    try normalizer.normalize(
                        RowBatch(xb, rows: c.rows, cols: c.cols), into: MutableRowBatch(yb, rows: c.rows, cols: c.cols),
                        mask: nil, threads: nil)
                }
            }
            let yd = y.map { Double($0) }
            var m = DistributionMetrics()
            for r in 0..<c.rows {
                let range = (r * c.cols)..<((r + 1) * c.cols)
                if method.outputScale == .selection {
                    // A 0/1 selection is compared as the distribution it picks: uniform over the kept entries.
                    let kept = yd[range].reduce(0, +)
                    m.add(output: ArraySlice(yd[range].map { kept > 0 ? $0 / kept : $0 }), exact: c.exact[range], logScale: false)
                } else {
                    m.add(output: yd[range], exact: c.exact[range], logScale: logScale)
                }
            }
            if let k = result.firstIndex(where: { $0.workload == c.workload }) { result[k].metrics.merge(m) } else { result.append((c.workload, m)) }
        }
        return result
    }

    /// An element-wise method's metrics per workload, against its reference function.
    public static func measureElementwise(_ v: MethodVariant, count: Int, registry: MethodRegistry = .standard) throws
        -> [(workload: String, metrics: ElementwiseMetrics)]
    {
        let method = try registry.method(v.id)
        guard let make = method.activation, let reference = method.reference else { throw LabError.notElementwise(v.id) }
        let activation = try make(method.resolve(v.parameters))
        let f = Float64Reference.elementwise(reference)
        let cols = 256
        return try ActivationWorkload.lab(for: reference).map { w in
            let x = w.values(count: count).map { Float($0) }
            var y = [Float](repeating: 0, count: x.count)
            try x.withUnsafeBufferPointer { xb in
                try y.withUnsafeMutableBufferPointer { yb in
                    try activation.activate(
                        RowBatch(xb, rows: x.count / cols, cols: cols), into: MutableRowBatch(yb, rows: x.count / cols, cols: cols),
                        threads: nil)
                }
            }
            var m = ElementwiseMetrics()
            for (xi, yi) in zip(x, y) { m.add(x: Double(xi), y: Double(yi), reference: f(Double(xi))) }
            return (w.name, m)
        }
    }
}
