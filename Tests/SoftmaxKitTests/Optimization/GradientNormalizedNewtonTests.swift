import Foundation
import SoftmaxKit
import Testing

/// The LogSumExp and softmax-regression oracles against their definitions (values directly,
/// derivatives by central differences in Double), the regularised Newton step, and the solver on
/// the official notebook's zero-optimum LogSumExp problem.
@Suite struct GradientNormalizedNewtonTests {
    let registry = MethodRegistry.standard

    func uniform(_ count: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in Double(g.next() >> 11) / Double(1 << 53) * 2 - 1 }
    }

    func call(_ id: String, _ inputs: [String: Tensor], _ parameters: [String: ParameterValue] = [:]) throws -> [String: Tensor] {
        try registry.call(id, inputs: inputs, parameters: parameters)
    }

    /// ∂/∂x of `f` at `x` by central differences.
    func numericGradient(_ x: [Double], h: Double = 1e-6, _ f: ([Double]) throws -> Double) rethrows -> [Double] {
        try x.indices.map { j in
            var plus = x, minus = x
            plus[j] += h
            minus[j] -= h
            return (try f(plus) - f(minus)) / (2 * h)
        }
    }

    @Test(arguments: ["gns-logsumexp", "softmax-regression"])
    func oraclesAgainstTheirDefinitions(id: String) throws {
        let (m, n) = (7, 4)
        let a = uniform(m * n, seed: 1), b = uniform(m, seed: 2).map { id == "softmax-regression" ? abs($0) / 3 : $0 }, x = uniform(n, seed: 3)
        let mu = 0.7
        let parameters: [String: ParameterValue] = id == "gns-logsumexp" ? ["mu": .number(mu)] : [:]
        func inputs(_ x: [Double]) -> [String: Tensor] { ["A": Tensor(shape: [m, n], a), "b": Tensor(shape: [m], b), "x": Tensor(shape: [n], x)] }
        func value(_ x: [Double]) throws -> Double { doubles(try call(id, inputs(x), parameters)[id == "gns-logsumexp" ? "f" : "loss"])[0] }
        let out = try call(id, inputs(x), parameters)
        // The value written out directly.
        let z = (0..<m).map { i in (0..<n).map { a[i * n + $0] * x[$0] }.reduce(0, +) }
        if id == "gns-logsumexp" {
            #expect(abs(try value(x) - mu * log(z.indices.map { exp((z[$0] - b[$0]) / mu) }.reduce(0, +))) < 1e-14)
        } else {
            let s = z.map { exp($0) }.reduce(0, +)
            #expect(abs(try value(x) - 0.5 * z.indices.map { pow(exp(z[$0]) / s - b[$0], 2) }.reduce(0, +)) < 1e-15)
        }
        let grad = doubles(out["grad"]), hess = doubles(out["hess"]), approx = doubles(out["hess_approx"])
        for (p, q) in zip(grad, try numericGradient(x, value)) { #expect(abs(p - q) < 1e-8) }
        for j in 0..<n {
            let column = try numericGradient(x) { doubles(try call(id, inputs($0), parameters)["grad"])[j] }
            for k in 0..<n { #expect(abs(hess[j * n + k] - column[k]) < 1e-7, "\(id) ∂²/∂x\(j)∂x\(k)") }
        }
        if id == "gns-logsumexp" {
            for j in 0..<n { for k in 0..<n { #expect(abs(approx[j * n + k] - hess[j * n + k] - grad[j] * grad[k] / mu) < 1e-14, "H̃ − ∇²f = ∇f∇fᵀ/μ") } }
        } else {
            // H̃ = Aᵀ S² A, written out.
            let f = doubles(out["f"])
            var sa = [Double](repeating: 0, count: m * n)  // S·A
            for i in 0..<m { for j in 0..<n { sa[i * n + j] = f[i] * a[i * n + j] - f[i] * (0..<m).map { f[$0] * a[$0 * n + j] }.reduce(0, +) } }
            for p in 0..<n { for q in 0..<n { #expect(abs(approx[p * n + q] - (0..<m).map { sa[$0 * n + p] * sa[$0 * n + q] }.reduce(0, +)) < 1e-14) } }
            let one = try call(
                id,
                ["A": Tensor(shape: [1, 2], [1, 2] as [Double]), "b": Tensor(shape: [1], [0.3] as [Double]), "x": Tensor(shape: [2], [1, -1] as [Double])])
            #expect(
                doubles(one["f"]) == [1] && doubles(one["grad"]) == [0, 0] && doubles(one["hess"]).allSatisfy { $0 == 0 }, "n = 1: f = [1], zero derivatives")
        }
    }

    @Test func gradientStepAndNewtonStep() throws {
        let (m, n) = (5, 3)
        let a = uniform(m * n, seed: 4), b = uniform(m, seed: 5).map(abs), x = uniform(n, seed: 6)
        let base = ["A": Tensor(shape: [m, n], a), "b": Tensor(shape: [m], b), "x": Tensor(shape: [n], x)]
        let grad = doubles(try call("softmax-regression", base)["grad"])
        let stepped = doubles(try call("softmax-regression-gd-step", base, ["eta": .number(0.3)])["x_new"])
        for j in 0..<n { #expect(abs(stepped[j] - (x[j] - 0.3 * grad[j])) < 1e-16) }

        let g: [Double] = [1, -2, 0.5], h: [Double] = [2, 0.5, 0, 0.5, 1, 0.1, 0, 0.1, 3], metric: [Double] = [2, 0, 0, 0, 1, 0, 0, 0, 4]
        let out = try call(
            "gns-step", ["g": Tensor(shape: [3], g), "H": Tensor(shape: [3, 3], h), "B": Tensor(shape: [3, 3], metric)], ["gamma": .number(0.5)])
        let lambda = doubles(out["lambda"])[0], dx = doubles(out["dx"])
        #expect(abs(lambda - (0.5 + 4 + 0.0625).squareRoot() / (0.5 + 1e-8)) < 1e-12)
        for i in 0..<3 {
            let row = (0..<3).map { (h[i * 3 + $0] + lambda * metric[i * 3 + $0]) * dx[$0] }.reduce(0, +)
            #expect(abs(row + g[i]) < 1e-12, "(H + λB)Δ = −g")
        }
        #expect(throws: TensorError.self) {
            try call(
                "gns-step",
                [
                    "g": Tensor(shape: [2], [1, 1] as [Double]), "H": Tensor(shape: [2, 2], [1, 0, 0, 1] as [Double]),
                    "B": Tensor(shape: [2, 2], [1, 2, 2, 1] as [Double]),
                ])
        }
    }

    /// The notebook's setting: μ = 1, A uniform in [−1, 1], rows shifted so that x* = 0, x0 = 1,
    /// B = AᵀA of the unshifted matrix. Both Hessians reach f − f* < ε, with f never increasing.
    @Test(arguments: ["exact", "approx"])
    func solvesTheZeroOptimumLogSumExpProblem(hessian: String) throws {
        let (m, n) = (50, 10)
        let raw = uniform(m * n, seed: 42), b = uniform(m, seed: 43)
        let g0 = doubles(
            try call(
                "gns-logsumexp", ["A": Tensor(shape: [m, n], raw), "b": Tensor(shape: [m], b), "x": Tensor(shape: [n], [Double](repeating: 0, count: n))])[
                    "grad"])
        let a = (0..<(m * n)).map { raw[$0] - g0[$0 % n] }
        let fStar = log((0..<m).map { exp(-b[$0]) }.reduce(0, +))
        var metric = [Double](repeating: 0, count: n * n)
        for i in 0..<m { for p in 0..<n { for q in 0..<n { metric[p * n + q] += raw[i * n + p] * raw[i * n + q] } } }
        let out = try call(
            "gns-minimize",
            [
                "A": Tensor(shape: [m, n], a), "b": Tensor(shape: [m], b), "x0": Tensor(shape: [n], [Double](repeating: 1, count: n)),
                "B": Tensor(shape: [n, n], metric),
            ],
            ["hessian": .string(hessian), "f_star": .number(fStar), "n_iters": .number(200)])
        #expect(out["converged"] == Tensor(shape: [], [true]), "\(hessian)")
        let trace = doubles(out["f_trace"])
        let iterations = try #require(out["iterations"]).indices(name: "iterations")[0]
        #expect(trace.last! - fStar < 1e-8 && trace.count == iterations + 1)
        for k in 1..<trace.count { #expect(trace[k] <= trace[k - 1] + 1e-12, "\(hessian): f rose at step \(k)") }
        #expect(doubles(out["x"]).allSatisfy { abs($0) < 1e-3 }, "x → x* = 0")
    }

    @Test func softmaxRegressionWithAReachableTarget() throws {
        let (m, n) = (6, 3)
        let a = uniform(m * n, seed: 7), star = [0.5, -1, 2.0]
        let z = (0..<m).map { i in (0..<n).map { a[i * n + $0] * star[$0] }.reduce(0, +) }
        let b = z.map { exp($0) / z.map(exp).reduce(0, +) }
        let out = try call(
            "gns-minimize", ["A": Tensor(shape: [m, n], a), "b": Tensor(shape: [m], b), "x0": Tensor(shape: [n], [Double](repeating: 0, count: n))],
            ["problem": .string("softmax-regression"), "hessian": .string("approx"), "f_star": .number(0), "eps": .number(1e-20), "n_iters": .number(500)])
        #expect(out["converged"] == Tensor(shape: [], [true]))
        #expect(doubles(out["f"])[0] < 1e-20)
    }

    @Test func edgeCases() throws {
        let base: [String: Tensor] = [
            "A": Tensor(shape: [3, 2], [1, 0, 0, 1, 1, 1] as [Double]), "b": Tensor(shape: [3], [0, 0, 0] as [Double]),
            "x0": Tensor(shape: [2], [1, 2] as [Double]),
        ]
        let none = try call("gns-minimize", base, ["n_iters": .number(0)])
        #expect(doubles(none["x"]) == [1, 2] && doubles(none["f_trace"]).count == 1 && none["converged"] == Tensor(shape: [], [false]))
        #expect(throws: TensorError.self) { try call("gns-minimize", base.merging(["B": Tensor(shape: [2, 2], [0, 0, 0, 0] as [Double])]) { $1 }) }
        #expect(throws: TensorError.self) { try call("gns-minimize", base.merging(["x0": Tensor(shape: [3], [0, 0, 0] as [Double])]) { $1 }) }
        #expect(throws: RegistryError.self) { try call("gns-minimize", base, ["mu": .number(0)]) }
    }
}
