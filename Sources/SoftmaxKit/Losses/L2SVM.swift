/// The L2-SVM (squared hinge) output layer, one-vs-rest: targets `y ∈ {−1, +1}^C` (+1 at the
/// label), prediction `argmax o`.
///
/// ```
/// squared hinge:  max(0, 1 − y_ik·o_ik)², reduced by mean (over batch × classes), sum, or none
/// paper:          ½‖W‖² + C·Σᵢ Σₖ max(0, 1 − y_ik·o_ik)²
/// code (cnn-svm): mean(W²) + C·mean_{batch × classes} max(0, 1 − y⊙o)²
/// ```
/// The regulariser covers only the readout weights `W`.
///
/// A. F. Agarap, "An Architecture Combining Convolutional Neural Network (CNN) and Support Vector
/// Machine (SVM) for Image Classification", 2017 (arXiv 1712.03541); Y. Tang, "Deep Learning using
/// Linear Support Vector Machines", 2013 (arXiv 1306.0239).
public enum L2SVM {
    /// One-vs-rest targets `[N, C]`: +1 at the label, −1 elsewhere.
    public static func targets(_ labels: [Int], classes c: Int) throws -> [Double] {
        var y = [Double](repeating: -1, count: labels.count * c)
        for (i, l) in labels.enumerated() {
            guard (0..<c).contains(l) else { throw LossError.label("label \(l) of row \(i) is outside 0..<\(c)") }
            y[i * c + l] = 1
        }
        return y
    }

    /// `max(0, 1 − y·o)²` per output.
    public static func squaredHinge(_ o: [Double], classes c: Int, labels: [Int]) throws -> [Double] {
        guard o.count == labels.count * c else { throw LossError.shape("outputs hold \(o.count) values for \(labels.count)×\(c)") }
        let y = try targets(labels, classes: c)
        return zip(o, y).map {
            let m = max(0, 1 - $0 * $1); return m * m
        }
    }

    /// `∂/∂o max(0, 1 − y·o)² = −2y·max(0, 1 − y·o)` per output.
    public static func squaredHingeGradient(_ o: [Double], classes c: Int, labels: [Int]) throws -> [Double] {
        guard o.count == labels.count * c else { throw LossError.shape("outputs hold \(o.count) values for \(labels.count)×\(c)") }
        return zip(o, try targets(labels, classes: c)).map { -2 * $1 * max(0, 1 - $0 * $1) }
    }

    /// Which objective: the paper's `½‖W‖² + C·Σ h` or the cnn-svm code's `mean(W²) + C·mean h`.
    public enum Form: Sendable { case paper, code }

    /// The objective with its gradients with respect to the outputs and to the readout weights.
    public static func objective(_ o: [Double], classes c: Int, labels: [Int], weights w: [Double], penalty: Double, form: Form)
        throws -> (loss: Double, gradOutputs: [Double], gradWeights: [Double])
    {
        let h = try squaredHinge(o, classes: c, labels: labels)
        let dh = try squaredHingeGradient(o, classes: c, labels: labels)
        let squares = w.map { $0 * $0 }.reduce(0, +)
        switch form {
        case .paper:
            return (squares / 2 + penalty * h.reduce(0, +), dh.map { penalty * $0 }, w)
        case .code:
            let outputs = Double(max(h.count, 1)), count = Double(max(w.count, 1))
            return (squares / count + penalty * h.reduce(0, +) / outputs, dh.map { penalty * $0 / outputs }, w.map { 2 * $0 / count })
        }
    }
}
