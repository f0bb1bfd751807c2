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
/// D. Han, N. Moniz, N. V. Chawla, "AnyLoss: Transforming Classification Metrics into Loss
/// Functions", KDD 2024 (arXiv 2405.14745).
public enum AnyLoss {
    public static func amplify(_ p: Double, l: Double) -> Double { 1 / (1 + Double.scalarExp(-l * (p - 0.5))) }

    public struct Confusion: Sendable, Equatable {
        public var tp, fn, fp, tn, n: Double

        public var accuracyLoss: Double { 1 - (tp + tn) / n }
        public func fBetaLoss(_ beta: Double) -> Double { 1 - (1 + beta * beta) * tp / (beta * beta * (tp + fn) + (tp + fp)) }
        public var gMeanLoss: Double { 1 - (tp / (tp + fn) * tn / (tn + fp)).squareRoot() }
        public var balancedAccuracyLoss: Double { 1 - (tp / (tp + fn) + tn / (tn + fp)) / 2 }
    }

    public static func confusion(y: [Double], p: [Double], l: Double) throws -> Confusion {
        guard y.count == p.count, !y.isEmpty else { throw LossError.shape("y and p must have the same non-zero length (\(y.count), \(p.count))") }
        guard y.allSatisfy({ $0 == 0 || $0 == 1 }) else { throw LossError.label("y must hold 0 or 1") }
        let a = p.map { amplify($0, l: l) }
        let tp = zip(y, a).map(*).reduce(0, +), sy = y.reduce(0, +), sa = a.reduce(0, +), n = Double(y.count)
        return Confusion(tp: tp, fn: sy - tp, fp: sa - tp, tn: n - sy - sa + tp, n: n)
    }
}
