/// The loss role: rows of logits and their target classes → per-example losses, the batch loss a
/// trainer minimises, and its gradient with respect to the logits.
///
/// Every registered loss that takes index targets (`MethodRegistry.loss(_:parameters:)`) is one, so
/// a training loop can swap cross-entropy for StableMax, the Z-loss or a comp-sum loss by id.
public protocol ClassificationLoss: Sendable {
    /// - Parameters:
    ///   - logits: `rows × classes`, row-major.
    ///   - rows: the batch size.
    ///   - classes: the row length.
    ///   - labels: one class index per row.
    /// - Throws: `LossError` for shapes that disagree and labels out of range.
    func evaluate(logits: [Double], rows: Int, classes: Int, labels: [Int]) throws -> LossEvaluation
}

/// A loss over a batch.
public struct LossEvaluation: Sendable, Equatable {
    /// ℓᵢ per row.
    public var perExample: [Double]
    /// The batch loss: the mean of `perExample` unless the loss defines its own reduction
    /// (cross-entropy's weighted mean, sum or none — for none, the sum).
    public var loss: Double
    /// `∂loss/∂logits`, `rows × classes`.
    public var gradient: [Double]

    /// A loss with its parts.
    public init(perExample: [Double], loss: Double, gradient: [Double]) {
        self.perExample = perExample
        self.loss = loss
        self.gradient = gradient
    }

    /// The mean of per-example losses `ℓᵢ` whose gradients `∂ℓᵢ/∂logits` are given row by row.
    static func mean(perExample: [Double], perExampleGradient gradient: [Double]) -> LossEvaluation {
        let n = Double(max(perExample.count, 1))
        return LossEvaluation(perExample: perExample, loss: perExample.reduce(0, +) / n, gradient: gradient.map { $0 / n })
    }
}
