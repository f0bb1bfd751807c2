import Testing

@testable import SoftmaxKit

/// The transposed reductions of a group of rows equal the single-vector reductions lane by
/// lane, bit for bit (the grouped softmax relies on it to match the row-by-row one).
@Suite struct HorizontalReductionTests {
    func check<T: KernelScalar>(_: T.Type, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let lanes = T.lanes
        for trial in 0..<200 {
            var vectors = [T.Vector](repeating: T.Vector(), count: lanes)
            for k in 0..<lanes {
                for j in 0..<lanes {
                    // Wide magnitudes, so that the order of the additions shows in the rounding.
                    let magnitude = T(Double(1 << (j % 24)))
                    vectors[k][j] = T(g.normal()) * magnitude
                }
                if trial % 7 == 0 { vectors[k][(k + trial) % lanes] = -.infinity }
            }
            let sums = vectors.withUnsafeBufferPointer { T.horizontalSums($0.baseAddress!) }
            let maxima = vectors.withUnsafeBufferPointer { T.horizontalMaxima($0.baseAddress!) }
            for k in 0..<lanes {
                #expect(sums[k] == T.horizontalSum(vectors[k]), "\(T.self) sum of vector \(k), trial \(trial)")
                #expect(maxima[k] == T.horizontalMaximum(vectors[k]), "\(T.self) maximum of vector \(k), trial \(trial)")
                #expect(maxima[k] == vectors[k].max(), "\(T.self) maximum of vector \(k), trial \(trial)")
            }
        }
    }

    @Test func floatGroupsMatchSingleReductions() { check(Float.self, seed: 1) }

    @Test func doubleGroupsMatchSingleReductions() { check(Double.self, seed: 2) }
}
