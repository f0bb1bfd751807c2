import SoftmaxKit

/// The grokking task: every pair `(a, b)` with `0 ≤ a, b < p` labelled `(a + b) mod p`, split at
/// random into a training and a test set (the paper's `AlgorithmicDataset` + `random_split`).
public struct ModularAddition: Sendable {
    /// The modulus p.
    public let modulus: Int
    /// Training pairs with their labels.
    public let train: [(a: Int, b: Int, label: Int)]
    /// Test pairs with their labels.
    public let test: [(a: Int, b: Int, label: Int)]

    /// - Throws: `TrainingError` unless `p ≥ 2` and the fraction leaves both sets non-empty.
    public init(modulus p: Int, trainFraction: Double, seed: UInt64) throws {
        guard p >= 2, p <= 4096 else { throw TrainingError.parameter("modulus must be in 2…4096, got \(p)") }
        // The fraction is checked before it is turned into a count (NaN and ±∞ would trap).
        guard trainFraction > 0, trainFraction < 1 else {
            throw TrainingError.parameter("train fraction must be in (0, 1), got \(trainFraction)")
        }
        let total = p * p, trainCount = Int(trainFraction * Double(total))
        guard trainCount >= 1, trainCount < total else {
            throw TrainingError.parameter("train fraction must leave both sets non-empty, got \(trainFraction)")
        }
        var all = (0..<total).map { (a: $0 / p, b: $0 % p, label: ($0 / p + $0 % p) % p) }
        var g = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
        all.shuffle(using: &g)
        modulus = p
        train = Array(all[..<trainCount])
        test = Array(all[trainCount...])
    }
}

/// Errors from the training runs, naming the parameter at fault.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case parameter(String)

    /// The error as one line naming the parameter.
    public var description: String {
        switch self {
        case let .parameter(s): "train: \(s)"
        }
    }
}
