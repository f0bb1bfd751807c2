import SoftmaxKit
import Testing

/// Taylor softmax against its definition in float64, and what only it promises: `−∞` entries
/// masked, finite inputs up to the type's maximum, no shift invariance. The edge contract, threads,
/// ties and float32 against float64 are `RegisteredMethodSweepTests`'.
@Suite struct TaylorSoftmaxTests {
    let normalizer = RowKernelNormalizer(TaylorSoftmaxKernel())

    /// `f(x)/Σf(x)` with `f(x) = 1 + x + x²/2`, straight from the definition.
    func definition(_ x: [Double]) -> [Double] {
        let f = x.map { $0 == -.infinity ? 0 : 1 + $0 + $0 * $0 / 2 }
        let total = f.reduce(0, +)
        return f.map { $0 / total }
    }

    func apply<T: KernelScalar>(_ x: [T]) throws -> [T] {
        try applyRow(x) { try normalizer.normalize($0, into: $1, mask: nil, threads: 1) }
    }

    @Test func itIsTheDefinitionInBothPrecisions() throws {
        var g = SplitMix64(seed: 31)
        for n in [1, 2, 7, 64, 1000] {
            for sigma in [0.3, 1.0, 5.0, 100.0] {
                let x = (0..<n).map { _ in Double(Float(sigma * g.normal())) }
                let expected = definition(x)
                for (a, b) in zip(try apply(x), expected) { #expect(abs(a - b) <= 1e-14 * b, "n = \(n), σ = \(sigma): \(a) vs \(b)") }
                for (a, b) in zip(try apply(x.map { Float($0) }), expected) {
                    #expect(abs(Double(a) - b) <= 2e-6 * b, "float32, n = \(n), σ = \(sigma): \(a) vs \(b)")
                }
            }
        }
    }

    @Test func negativeInfinityIsMaskedNotHeavy() throws {
        // The polynomial alone would give −∞ all the mass.
        let y = try apply([0, -.infinity, 1, -.infinity] as [Double])
        #expect(y[1] == 0 && y[3] == 0)
        #expect(abs(y[0] - 1 / 3.5) < 1e-15 && abs(y[2] - 2.5 / 3.5) < 1e-15, "\(y)")
    }

    @Test func finiteInputsUpToTheMaximumStayFinite() throws {
        let big = try apply([Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 0, 1e300])
        #expect(big.allSatisfy { $0.isFinite && $0 >= 0 }, "\(big)")
        // f(±M) are equal to rounding and dwarf the rest: half each.
        #expect(abs(big[0] - 0.5) < 1e-12 && abs(big[1] - 0.5) < 1e-12 && big[2] < 1e-300, "\(big)")
        let float = try apply([Float.greatestFiniteMagnitude, 1, -3e38])
        #expect(float.allSatisfy { $0.isFinite } && abs(float.reduce(0, +) - 1) < 1e-6, "\(float)")
        #expect(abs(Double(float[0]) - definition([3.4028234663852886e38, 1, -3e38])[0]) < 1e-6, "\(float)")
    }

    @Test func itIsNotShiftInvariant() throws {
        // Softmax would give the same row for x and x + 10; Taylor softmax does not.
        let y = try apply([0, 1] as [Double]), shifted = try apply([10, 11] as [Double])
        #expect(abs(y[1] - 2.5 / 3.5) < 1e-15 && abs(shifted[1] - 72.5 / 133.5) < 1e-15)
    }

    @Test func theRegistryEntryIsTheKernel() throws {
        let x: [Float] = [0.5, -2, 3, 1e-3, -.infinity]
        let out = try MethodRegistry.standard.call("taylor-softmax", inputs: ["x": Tensor(shape: [1, 5], x)])
        #expect(try #require(out["y"].float32) == (try apply(x)))
        #expect(try MethodRegistry.standard.method("taylor-softmax").accuracy == .replacement)
    }
}
