/// AnyLoss: confusion-matrix metrics made differentiable by amplifying the sigmoid output,
///
/// ```
/// A(p) = 1/(1 + e^{−L(p − ½)})   (L = 73 in the experiments)
/// TP = Σ y·A,  FN = Σ y − TP,  FP = Σ A − TP,  TN = N − Σ y − Σ A + TP        (N = batch size)
/// accuracy loss = 1 − (TP + TN)/N;   F_β loss = 1 − (1 + β²)TP/(β²Σy + ΣA)
/// G-mean loss = 1 − √(TP/(TP + FN) · TN/(TN + FP));   balanced-accuracy loss = 1 − ½(TP/(TP + FN) + TN/(TN + FP))
/// ```
/// for a binary task (`y ∈ {0, 1}`, `p ∈ [0, 1]`). No ε is added to the denominators.
///
/// Gradients with respect to `p` follow from `∂TP/∂Aᵢ = yᵢ`, `∂FN/∂Aᵢ = −yᵢ`, `∂FP/∂Aᵢ = 1 − yᵢ`,
/// `∂TN/∂Aᵢ = yᵢ − 1` and `∂Aᵢ/∂pᵢ = L·Aᵢ(1 − Aᵢ)`: the loss is a function of the four soft
/// counts, so each metric only supplies its partial derivatives in (TP, FN, FP, TN).
///
/// D. Han, N. Moniz, N. V. Chawla, "AnyLoss: Transforming Classification Metrics into Loss
/// Functions", KDD 2024 (arXiv 2405.14745).
public enum AnyLoss {
    /// `A(p) = 1/(1 + e^{−L(p − ½)})`.
    public static func amplify(_ p: Double, l: Double) -> Double { 1 / (1 + Double.scalarExp(-l * (p - 0.5))) }

    /// The soft confusion matrix of a batch.
    public struct Confusion: Sendable, Equatable {
        public var tp, fn, fp, tn, n: Double

        /// `1 − (TP + TN)/N`.
        public var accuracyLoss: Double { 1 - (tp + tn) / n }
        /// `1 − (1 + β²)TP/(β²(TP + FN) + TP + FP)`.
        public func fBetaLoss(_ beta: Double) -> Double { 1 - (1 + beta * beta) * tp / (beta * beta * (tp + fn) + (tp + fp)) }
        /// `1 − √(recall · specificity)`.
        public var gMeanLoss: Double { 1 - (tp / (tp + fn) * tn / (tn + fp)).squareRoot() }
        /// `1 − (recall + specificity)/2`.
        public var balancedAccuracyLoss: Double { 1 - (tp / (tp + fn) + tn / (tn + fp)) / 2 }

        /// `(∂/∂TP, ∂/∂FN, ∂/∂FP, ∂/∂TN)` of a metric's loss.
        func partials(_ metric: Metric) -> (tp: Double, fn: Double, fp: Double, tn: Double) {
            // Recall r = TP/(TP + FN) and specificity s = TN/(TN + FP) with their partials.
            let r = tp / (tp + fn), s = tn / (tn + fp)
            let drTP = fn / ((tp + fn) * (tp + fn)), drFN = -tp / ((tp + fn) * (tp + fn))
            let dsTN = fp / ((tn + fp) * (tn + fp)), dsFP = -tn / ((tn + fp) * (tn + fp))
            switch metric {
            case .accuracy:
                return (-1 / n, 0, 0, -1 / n)
            case let .fBeta(beta):
                let b2 = beta * beta, d = b2 * (tp + fn) + tp + fp, num = (1 + b2) * tp
                return (-((1 + b2) * d - num * (1 + b2)) / (d * d), num * b2 / (d * d), num / (d * d), 0)
            case .gMean:
                let g = (r * s).squareRoot()
                return (-s * drTP / (2 * g), -s * drFN / (2 * g), -r * dsFP / (2 * g), -r * dsTN / (2 * g))
            case .balancedAccuracy:
                return (-drTP / 2, -drFN / 2, -dsFP / 2, -dsTN / 2)
            }
        }
    }

    /// The metrics AnyLoss turns into losses.
    public enum Metric: Sendable, Equatable {
        case accuracy, fBeta(Double), gMean, balancedAccuracy
    }

    /// `∂ loss/∂pᵢ` of a metric's loss.
    public static func gradient(_ metric: Metric, y: [Double], p: [Double], l: Double) throws -> [Double] {
        let m = try confusion(y: y, p: p, l: l)
        let d = m.partials(metric)
        return zip(y, p).map { y, p in
            let a = amplify(p, l: l)
            return (d.tp * y - d.fn * y + d.fp * (1 - y) + d.tn * (y - 1)) * l * a * (1 - a)
        }
    }

    /// The soft confusion matrix of labels `y ∈ {0, 1}` and outputs `p ∈ [0, 1]` amplified by `L`.
    public static func confusion(y: [Double], p: [Double], l: Double) throws -> Confusion {
        guard y.count == p.count, !y.isEmpty else { throw LossError.shape("y and p must have the same non-zero length (\(y.count), \(p.count))") }
        guard y.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw LossError.label("y must hold 0 or 1") }
        let a = p.map { amplify($0, l: l) }
        let tp = zip(y, a).map(*).reduce(0, +), sy = y.reduce(0, +), sa = a.reduce(0, +), n = Double(y.count)
        return Confusion(tp: tp, fn: sy - tp, fp: sa - tp, tn: n - sy - sa + tp, n: n)
    }
}
