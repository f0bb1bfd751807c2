import PropertyBased
import SoftmaxKit
import Testing

/// Invariants over many random rows (swift-property-based): rows sum to 1, shift invariance,
/// permutation equivariance, monotonicity — for every algorithm.
@Suite struct ExactSoftmaxInvariantTests {
    static let rows = Gen.float(in: -60...60).array(of: 1...300)

    /// The kernel's output; an error is recorded as a failure (the property closures do not throw).
    func softmax(_ x: [Float], _ algorithm: SoftmaxAlgorithm) -> [Float] {
        do {
            return try applyRow(x) { try ExactSoftmax.softmax($0, into: $1, options: SoftmaxOptions(algorithm: algorithm)) }
        } catch {
            Issue.record("softmax of \(x.count) elements threw \(error)")
            return x.map { _ in .nan }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func rowsSumToOne(_ algorithm: SoftmaxAlgorithm) async {
        await propertyCheck(count: 300, input: Self.rows) { x in
            let y = softmax(x, algorithm)
            #expect(abs(SoftmaxReference.sum(y) - 1) <= 1e-6)
            #expect(y.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func shiftInvariance(_ algorithm: SoftmaxAlgorithm) async {
        await propertyCheck(count: 200, input: Self.rows, Gen.float(in: -1000...1000)) { x, c in
            // Shift by an exactly representable amount so the shifted inputs are exact.
            let shift = c.rounded()
            let y = softmax(x, algorithm), z = softmax(x.map { $0 + shift }, algorithm)
            for (a, b) in zip(y, z) where max(a, b) > 1e-30 {
                // x + shift itself rounds (ulp(1060) ≈ 1.2e-4), so compare against that.
                #expect(abs(a - b) <= 3e-4 * max(a, b) + 1e-30)
            }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func permutationEquivariance(_ algorithm: SoftmaxAlgorithm) async {
        await propertyCheck(count: 200, input: Self.rows) { x in
            let permutation = Array((0..<x.count).reversed())
            let y = softmax(x, algorithm), z = softmax(permutation.map { x[$0] }, algorithm)
            for (i, p) in permutation.enumerated() where y[p] > 1e-30 {
                #expect(abs(z[i] - y[p]) <= 2e-6 * y[p])
            }
        }
    }

    @Test(arguments: SoftmaxAlgorithm.allCases)
    func monotonicity(_ algorithm: SoftmaxAlgorithm) async {
        await propertyCheck(count: 200, input: Self.rows) { x in
            let y = softmax(x, algorithm)
            let order = x.indices.sorted { x[$0] < x[$1] }
            for k in 1..<order.count where x[order[k - 1]] < x[order[k]] {
                #expect(y[order[k - 1]] <= y[order[k]])
            }
        }
    }
}
