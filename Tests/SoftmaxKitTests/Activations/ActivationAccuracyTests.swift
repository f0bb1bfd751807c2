import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The GELU family against float64 GELU (x·Φ(x) with erfc), and the published error claims.
@Suite struct ActivationAccuracyTests {
    let registry = MethodRegistry.standard
    let grid: [Double] = (0...160_000).map { -8 + Double($0) / 10_000 }

    func gelu(_ x: Double) -> Double { x * erfc(-x / 2.0.squareRoot()) / 2 }

    func call(_ id: String, _ x: [Double]) throws -> [Double] {
        guard case let .float64(y)? = try registry.call(id, inputs: ["x": Tensor(shape: [x.count], x)])["y"]?.storage else { return [] }
        return y
    }

    func worstAbsolute(_ id: String, against f: (Double) -> Double) throws -> Double {
        zip(try call(id, grid), grid).map { abs($0 - f($1)) }.max()!
    }

    @Test func exactGELUAndSiLU() throws {
        #expect(try worstAbsolute("gelu", against: gelu) < 1e-15)
        #expect(try worstAbsolute("silu", against: { $0 / (1 + exp(-$0)) }) < 1e-14)  // vector exp: ≤ 1 ULP
        // Relative accuracy where GELU is tiny (erfc, not 1 + erf).
        let y = try call("gelu", [-8])[0]
        #expect(abs(y - (-8 * 0.5 * erfc(8 / 2.0.squareRoot()))) <= 1e-15 * abs(y))
    }

    /// Float rows of `gelu` run the sixteen-lane Float kernel: within 6 ULP of the float64 GELU
    /// over every magnitude, including the far negative tail and subnormals.
    @Test func vectorFloatGELUIsWithinSixULP() throws {
        var inputs: [Float] = (0...400_000).map { -16 + Float($0) / 12_500 }  // [−16, 16]
        inputs += [0, -0, .infinity, -.infinity, .nan, 1e-30, -1e-30, .leastNonzeroMagnitude, 40, -13.9, -14.2, 3e38, -3e38]
        while inputs.count % 16 != 0 { inputs.append(0.5) }
        var y = [Float](repeating: 0, count: inputs.count)
        GELU.Exact().map(inputs, &y, count: inputs.count)
        var worstNegative = 0.0, worstPositive = 0.0
        for (x, v) in zip(inputs, y) {
            let r = gelu(Double(x))
            if x.isNaN { #expect(v.isNaN); continue }
            if x == -.infinity { #expect(v == 0); continue }
            if x == .infinity { #expect(v == .infinity); continue }
            let ulps = abs(Double(v) - r) / Double(max(Float(r).ulp, Float.leastNonzeroMagnitude))
            if x < 0 { worstNegative = max(worstNegative, ulps) } else { worstPositive = max(worstPositive, ulps) }
        }
        print("gelu float32 rows: worst \(worstNegative) ULP for x < 0, \(worstPositive) ULP for x ≥ 0")
        #expect(worstNegative <= 6 && worstPositive <= 2, "worst \(worstNegative) / \(worstPositive) ULP")
    }

    @Test func closedFormApproximations() throws {
        let tanh = try worstAbsolute("gelu-tanh", against: gelu)
        #expect(tanh < 5e-4 && tanh > 4e-4, "gelu-tanh \(tanh)")
        let sigmoid = try worstAbsolute("gelu-sigmoid", against: gelu)
        #expect(sigmoid < 2.1e-2 && sigmoid > 1.9e-2, "gelu-sigmoid \(sigmoid)")
    }

    @Test func edgeMoEGELUMeetsThePaperClaim() throws {
        #expect(EdgeMoEGELU.table.count == 177 && EdgeMoEGELU.table[0] == 0 && EdgeMoEGELU.table[176] == 0)
        for (k, d) in EdgeMoEGELU.table.enumerated() { #expect(d * 4_194_304 == (d * 4_194_304).rounded(), "δ\(k) has 22 fractional bits") }
        let e = try worstAbsolute("edge-moe-gelu", against: gelu)
        #expect(e < 1.2e-4 && e > 5e-5, "edge-moe-gelu \(e)")
        #expect(try call("edge-moe-gelu", [.infinity, -.infinity]) == [.infinity, 0])
    }

    @Test func pumaPiecesAndJumps() throws {
        let e = try worstAbsolute("puma-gelu", against: gelu)
        #expect(e > 0.019 && e < 0.021, "puma-gelu \(e)")
        let y = try call("puma-gelu", [-4.000001, -4, 3, 3.000001, -1.95])
        #expect(y[0] == 0 && abs(y[1] - 6.266318788311631e-4) < 1e-15)
        #expect(abs(y[2] - 3.0158635394011535) < 1e-13 && y[3] == 3.000001)
        let s = try worstAbsolute("puma-silu", against: { $0 / (1 + exp(-$0)) })
        #expect(s > 0.07 && s < 0.075, "puma-silu \(s)")
    }

    @Test func iBertFloatForms() throws {
        let g = try worstAbsolute("ibert-gelu-poly-float", against: gelu)
        #expect(g < 2.5e-2, "ibert-gelu-poly-float \(g)")
        let xs = (0...10_000).map { -20 * Double($0) / 10_000 }
        for coef in ["code", "paper"] {
            let out = try registry.call("ibert-exp-poly-float", inputs: ["x": Tensor(shape: [xs.count], xs)], parameters: ["coef": .string(coef)])
            let y = try #require(out["y"].float64)
            let worst = zip(y, xs).map { abs($0 / exp($1) - 1) }.max()!
            #expect(worst < 5e-3, "ibert-exp-poly-float \(coef): \(worst)")
        }
    }

    @Test func polyActivations() throws {
        let out = try registry.call(
            "poly-relu", inputs: ["x": Tensor(shape: [3], [-1, 0.5, 2] as [Double])],
            parameters: ["a": .array([1, 2, 3]), "bias": .number(0.25)])
        #expect(out["y"] == Tensor(shape: [3], [0.25, 0.125 + 0.5 + 1.5 + 0.25, 8 + 8 + 6 + 0.25] as [Double]))
        let x: [Double] = [1, -2, 3, 0.5]
        let n = try registry.call("poly-norm", inputs: ["x": Tensor(shape: [1, 4], x)], parameters: ["a": .array([0.2, 0.3, 0.5]), "eps": .number(0)])
        func norm(_ v: [Double]) -> [Double] { let r = (v.map { $0 * $0 }.reduce(0, +) / Double(v.count)).squareRoot(); return v.map { $0 / r } }
        let n3 = norm(x.map { $0 * $0 * $0 }), n2 = norm(x.map { $0 * $0 }), n1 = norm(x)
        let y = try #require(n["y"].float64)
        for i in 0..<4 { #expect(abs(y[i] - (0.2 * n3[i] + 0.3 * n2[i] + 0.5 * n1[i])) < 1e-14) }
    }
}
