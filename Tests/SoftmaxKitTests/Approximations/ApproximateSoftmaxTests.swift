import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The approximate softmaxes and the replacements against float64 definitions written out here
/// independently (closed forms to ~1e−12 in Double, bisection to ~1e−8).
@Suite struct ApproximateSoftmaxTests {
    let registry = MethodRegistry.standard

    func call(_ id: String, _ x: [Double], _ params: [String: ParameterValue] = [:]) throws -> [Double] {
        let out = try registry.call(id, inputs: ["x": Tensor(shape: [x.count], x)], parameters: params)
        guard case let .float64(y)? = out["y"]?.storage else { Issue.record("\(id): no float64 y"); return [] }
        return y
    }

    func rows(_ seed: UInt64, count: Int = 20, length: Int = 97, sigma: Double = 3) -> [[Double]] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in (0..<length).map { _ in sigma * g.normal() } }
    }

    func expectClose(_ a: [Double], _ b: [Double], _ tolerance: Double, _ what: String) {
        #expect(a.count == b.count, "\(what)")
        let worst = zip(a, b).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? 0
        #expect(worst <= tolerance, "\(what): worst relative difference \(worst)")
    }

    @Test func edgeMoESoftmaxIsSoftmaxInDouble() throws {
        for x in rows(1) { expectClose(try call("edge-moe-softmax", x), SoftmaxReference.softmax(x), 1e-12, "edge-moe-softmax") }
        let out = try registry.call("edge-moe-softmax", inputs: ["x": Tensor(shape: [3], [1, 3, 2] as [Double])])
        let b = try #require(out["bias"].float64), r = try #require(out["sum_recip"].float64)
        #expect(b == [3] && abs(r[0] - 1 / (1 + exp(-1.0) + exp(-2.0))) < 1e-15)
    }

    /// A fully masked row's state is `(0, −∞)`: `sum_recip` 0 by choice, not `1/0`.
    @Test func edgeMoEStateOfAFullyMaskedRow() throws {
        let x = Tensor(shape: [2, 3], [1, 2, 3, -.infinity, -.infinity, -.infinity] as [Float])
        let out = try MethodRegistry.standard.call("edge-moe-softmax", inputs: ["x": x])
        let recip = try #require(out["sum_recip"].float32), bias = try #require(out["bias"].float32)
        #expect(recip[1] == 0 && bias[1] == -.infinity && recip[0] > 0 && bias[0] == 3)
        #expect(try #require(out["y"].float32)[3...] == [0, 0, 0])
    }

    /// XNNPACK's kernels are float32 algorithms: float64 inputs give float32 outputs, computed on
    /// the inputs rounded to float32.
    @Test func xnnKernelsComputeInFloat32WhateverTheInputs() throws {
        let x: [Double] = [-87.3, -10.123456789, -0.5, 0]
        for (id, output) in [("xnn-exp-rr2-p5", "y"), ("xnn-extexp-p5", "mantissa")] {
            let wide = try MethodRegistry.standard.call(id, inputs: ["x": Tensor(shape: [4], x)])
            let narrow = try MethodRegistry.standard.call(id, inputs: ["x": Tensor(shape: [4], x.map { Float($0) })])
            #expect(wide[output]?.dtype == .float32, "\(id)")
            #expect(wide[output] == narrow[output], "\(id)")
        }
    }

    @Test func pumaSoftmaxFollowsItsDefinition() throws {
        for x in rows(2, sigma: 6) {
            let m = x.max()!
            for mode in ["taylor", "exact"] {
                let e = x.map { v -> Double in
                    let d = v - m
                    guard d > -14 else { return 0 }
                    return mode == "exact" ? exp(d) : pow(1 + d / 32, 32)
                }
                let s = e.reduce(0, +)
                expectClose(try call("puma-softmax", x, ["exp_mode": .string(mode)]), e.map { $0 / s }, 1e-12, "puma-softmax \(mode)")
            }
        }
        // The limit form itself, literally (also below −2ᵗ).
        let y = try registry.call("puma-exp-taylor", inputs: ["x": Tensor(shape: [3], [-40, 0.5, 2] as [Double])], parameters: ["iters": .number(3)])
        let v = try #require(y["y"].float64)
        expectClose(v, [pow(1 - 5.0, 8), pow(1 + 0.5 / 8, 8), pow(1 + 0.25, 8)], 1e-15, "puma-exp-taylor")
    }

    @Test func stableMaxFollowsItsDefinition() throws {
        func s(_ v: Double) -> Double { v >= 0 ? v + 1 : 1 / (1 - v) }
        for x in rows(3, sigma: 20) {
            let total = x.map(s).reduce(0, +)
            expectClose(try call("stablemax", x), x.map { s($0) / total }, 1e-13, "stablemax")
            let ls = try call("log-stablemax", x)
            for (a, v) in zip(ls, x) { #expect(abs(a - (log(s(v)) - log(total))) < 1e-13 * max(1, abs(a))) }
        }
        // Not shift-invariant, unlike softmax.
        let a = try call("stablemax", [0, 1]), b = try call("stablemax", [10, 11])
        #expect(abs(a[0] - 1.0 / 3) < 1e-15 && abs(b[0] - 11.0 / 23) < 1e-15)
    }

    @Test func softermaxIsBase2Softmax() throws {
        for x in rows(4) {
            expectClose(try call("softermax", x), SoftmaxReference.softmax(x.map { $0 * M_LN2 }), 1e-13, "softermax")
            expectClose(try call("softmax", x, ["exp": .string("base2")]), SoftmaxReference.softmax(x.map { $0 * M_LN2 }), 1e-13, "exp=base2")
        }
    }

    /// sparsemax as the projection onto the simplex, by bisection on τ (independent of sorting).
    func sparsemaxByBisection(_ z: [Double]) -> [Double] {
        var lo = z.max()! - 1, hi = z.max()!
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if z.map({ max($0 - mid, 0) }).reduce(0, +) >= 1 { lo = mid } else { hi = mid }
        }
        return z.map { max($0 - lo, 0) }
    }

    @Test func sparseMapsMatchIndependentSolutions() throws {
        for x in rows(5, length: 41, sigma: 1) {
            let sp = try call("sparsemax", x)
            let ref = sparsemaxByBisection(x)
            for (a, b) in zip(sp, ref) { #expect(abs(a - b) < 1e-12) }
            #expect(sp.contains(0))  // sparse
            let e15 = try call("entmax15", x)
            let bisect = try call("entmax-bisect", x, ["alpha": .number(1.5)])
            for (a, b) in zip(e15, bisect) { #expect(abs(a - b) < 1e-8) }
            // α = 2 by bisection is sparsemax.
            for (a, b) in zip(try call("entmax-bisect", x, ["alpha": .number(2)]), sp) { #expect(abs(a - b) < 1e-8) }
            // Near α = 1, entmax approaches softmax.
            for (a, b) in zip(try call("entmax-bisect", x, ["alpha": .number(1.001)]), SoftmaxReference.softmax(x)) { #expect(abs(a - b) < 2e-3) }
        }
    }

    /// Shift-invariant maps computed on the shifted row: scores near ±10¹⁵ (where these offsets
    /// are still exact) give what the same scores near 0 give.
    @Test func sparseMapsAreShiftInvariantAtLargeMagnitudes() throws {
        #expect(try call("sparsemax", [1e20, 1e20 - 1e6, 0, 5]) == [1, 0, 0, 0])
        for id in ["sparsemax", "entmax15", "entmax-bisect"] {
            let small: [Double] = [0, -0.25, -1.5, 0.125]
            for shift in [1e15, -1e15] {
                let big = try call(id, small.map { $0 + shift }), expected = try call(id, small)
                #expect(zip(big, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(id) + \(shift): \(big) vs \(expected)")
            }
        }
    }

    @Test func cheapExponentialsHaveTheirStatedErrors() throws {
        let stated: [Int: Double] = [1: 3.9e-2, 2: 2.3e-3, 3: 1.0e-4, 4: 3.5e-6]
        for (d, bound) in stated {
            let e = PolynomialExponential.maximumRelativeError(degree: d)
            #expect(e <= bound && e > bound / 1.2, "degree \(d): \(e)")
        }
        // Schraudolph's bit trick on its own: 3.9% worst relative error.
        var worst: Float = 0
        for i in 0...20_000 {
            let x = SIMD16<Float>(repeating: -20 + 20 * Float(i) / 20_000)
            let y = SchraudolphExponential()(x)[0]
            worst = max(worst, abs(y / Float(exp(Double(x[0]))) - 1))
        }
        #expect(worst < 0.040 && worst > 0.035, "schraudolph \(worst)")
        // Softmax with each exp, against the exact one: the normalisation keeps rows summing to 1.
        for x in rows(6, count: 5, length: 300) {
            let exact = SoftmaxReference.softmax(x)
            let budgets: [(String, Double)] = [("poly4", 1e-5), ("poly3", 3e-4), ("poly2", 7e-3), ("poly1", 0.25), ("schraudolph", 0.13)]
            for (name, budget) in budgets {
                let y = try call("softmax", x, ["exp": .string(name)])
                let worst = zip(y, exact).map { abs($0 - $1) / $1 }.max()!
                #expect(worst <= budget, "exp=\(name): \(worst)")
                #expect(abs(y.reduce(0, +) - 1) < 1e-12)
            }
            let limit = try call("softmax", x, ["exp": .string("limit"), "exp_iters": .number(5)])
            let m = x.max()!
            let e = x.map { $0 - m <= -32 ? 0 : pow(1 + ($0 - m) / 32, 32) }
            expectClose(limit, e.map { $0 / e.reduce(0, +) }, 1e-12, "exp=limit")
        }
    }

    @Test func xnnExponentialsAreWithinTwoUlpOfExp() {
        var x: Float = -87.3
        while x <= 0 {
            let y = XnnExponential.rr2p5(x), ref = Float(exp(Double(x)))
            #expect(abs(y - ref) <= 2 * ref.ulp, "rr2_p5(\(x))")
            let (m, n) = XnnExponential.extexpP5(x)
            #expect(abs(Double(m) * pow(2, Double(n)) - exp(Double(x))) <= 3e-7 * exp(Double(x)), "extexp_p5(\(x))")
            x += 0.0137
        }
        #expect(XnnExponential.rr2p5(-100) == 0 && XnnExponential.rr2p5(.nan).isNaN && XnnExponential.rr2p5(0) == 1)
    }

    @Test func badParametersGiveClearErrors() {
        let x = ["x": Tensor(shape: [3], [1, 2, 3] as [Float])]
        let cases: [(String, [String: ParameterValue])] = [
            ("entmax-bisect", ["alpha": .number(1)]), ("entmax-bisect", ["alpha": .number(0.5)]),
            ("softmax", ["temperature": .number(-1)]), ("softmax", ["exp": .string("poly9")]),
            ("softmax", ["exp": .string("poly3"), "algorithm": .string("two-pass")]),
            ("puma-softmax", ["iters": .number(2.5)]), ("puma-softmax", ["clip": .number(3)]),
            ("poly-relu", ["a": .array([1, 2])]), ("poly-norm", ["eps": .number(-1)]),
        ]
        for (id, params) in cases {
            #expect(throws: RegistryError.self, "\(id) \(params)") { try registry.call(id, inputs: x, parameters: params) }
        }
        let q = ["q": Tensor(shape: [2], storage: .int64([-3, 0]))]
        #expect(throws: RegistryError.self) { try registry.call("ibert-softmax-int", inputs: q, parameters: ["output_bit": .number(7.5)]) }
        #expect(throws: RegistryError.self) { try registry.call("ibert-exp-int", inputs: q, parameters: ["S": .number(1e-9)]) }
        #expect(throws: RegistryError.self) { try registry.call("ibert-exp-int", inputs: ["q": Tensor(shape: [1], storage: .int64([5]))]) }
        #expect(throws: TensorError.self) { try registry.call("ibert-exp-int", inputs: ["q": Tensor(shape: [1], [0.5] as [Float])]) }
    }
}
