import SoftmaxKit

/// The losses the grokking runs compare, with their gradients with respect to the logits.
///
/// - `cross-entropy`: softmax cross-entropy in float32 (PyTorch's default) or float64, gradient
///   `(e^{log p} − onehot)/n` in that precision — so a collapsed row (`fl(Σ e^{x−max}) = 1`,
///   `log p_y = 0`) gets exactly zero gradient, which is the Softmax Collapse mechanism.
/// - `stablemax-cross-entropy`: `−log StableMax(x)_y` in float64, as the official code computes it.
public enum TrainingLoss: String, Sendable, CaseIterable, Codable {
    case crossEntropy = "cross-entropy"
    case stableMaxCrossEntropy = "stablemax-cross-entropy"

    /// Mean loss over the rows and `∂mean/∂logits` as Float.
    public func evaluate(_ logits: [Float], labels: [Int], classes c: Int, float64: Bool) throws -> (loss: Double, gradient: [Float]) {
        let n = labels.count
        switch self {
        case .stableMaxCrossEntropy:
            let r = try StableMaxCrossEntropy.compute(logits: logits, rows: n, classes: c, labels: labels)
            return (r.mean, r.gradient.map { Float($0) })
        case .crossEntropy:
            return float64
                ? try Self.softmaxCrossEntropy(logits.map { Double($0) }, labels: labels, classes: c)
                : try Self.softmaxCrossEntropy(logits, labels: labels, classes: c)
        }
    }

    static func softmaxCrossEntropy<T: KernelScalar>(_ x: [T], labels: [Int], classes c: Int) throws -> (loss: Double, gradient: [Float]) {
        let n = labels.count
        var logp = [T](repeating: 0, count: x.count)
        try x.withUnsafeBufferPointer { xb in
            try logp.withUnsafeMutableBufferPointer {
                try ExactSoftmax.logSoftmax(RowBatch(xb, rows: n, cols: c), into: MutableRowBatch($0, rows: n, cols: c))
            }
        }
        var loss = 0.0
        var gradient = [Float](repeating: 0, count: x.count)
        let scale = T(1) / T(Double(n))
        for i in 0..<n {
            loss -= Double(logp[i * c + labels[i]])
            for k in 0..<c {
                let p = T.scalarExp(logp[i * c + k])
                gradient[i * c + k] = Float(Double((k == labels[i] ? p - 1 : p) * scale))
            }
        }
        return (loss / Double(n), gradient)
    }
}
