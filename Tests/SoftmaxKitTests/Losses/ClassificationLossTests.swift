import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Comp-sum, L2-SVM, decoupled softmax and AnyLoss against their formulas written out directly.
@Suite struct ClassificationLossTests {
    let registry = MethodRegistry.standard

    @Test func compSumSpecialCases() throws {
        let h: [Double] = [1.0, -0.5, 2.0, 0.3, 0.0, -1.0]
        let y = Tensor(shape: [2], storage: .int64([2, 0]))
        func loss(_ tau: Double) throws -> [Double] {
            doubles(try registry.call("comp-sum-loss", inputs: ["h": Tensor(shape: [2, 3], h), "y": y], parameters: ["tau": .number(tau)])["loss"])
        }
        for (i, label) in [2, 0].enumerated() {
            let row = Array(h[(i * 3)..<(i * 3 + 3)])
            let p = exp(row[label]) / row.map(exp).reduce(0, +)
            let u = row.enumerated().filter { $0.offset != label }.map { exp($0.element - row[label]) }.reduce(0, +)
            #expect(abs(try loss(1)[i] - -log(p)) < 1e-14)
            #expect(abs(try loss(0)[i] - u) < 1e-13)
            #expect(abs(try loss(1.5)[i] - 2 * (1 - p.squareRoot())) < 1e-13)
            #expect(abs(try loss(2)[i] - (1 - p)) < 1e-14)
        }
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        var g = SplitMix64(seed: 8)
        let h = (0..<12).map { _ in 2 * g.normal() }
        let y = Tensor(shape: [3], storage: .int64([1, 3, 0]))
        for tau in [0.0, 0.5, 1, 1.5, 2] {
            func call(_ x: [Double]) throws -> [String: Tensor] {
                try registry.call("comp-sum-loss", inputs: ["h": Tensor(shape: [3, 4], x), "y": y], parameters: ["tau": .number(tau)])
            }
            let grad = doubles(try call(h)["grad"])
            for k in h.indices {
                var plus = h, minus = h
                plus[k] += 1e-6
                minus[k] -= 1e-6
                let numeric = (doubles(try call(plus)["loss"]).reduce(0, +) - doubles(try call(minus)["loss"]).reduce(0, +)) / 2e-6
                #expect(abs(numeric - grad[k]) <= 1e-6 * max(1, abs(numeric)), "comp-sum τ=\(tau) ∂/∂h[\(k)]")
            }
        }
        let o = (0..<12).map { _ in g.normal() }
        func hinge(_ x: [Double]) throws -> [String: Tensor] {
            try registry.call("l2svm-squared-hinge", inputs: ["outputs": Tensor(shape: [3, 4], x), "labels": y])
        }
        let grad = doubles(try hinge(o)["grad"])
        for k in o.indices {
            var plus = o, minus = o
            plus[k] += 1e-6
            minus[k] -= 1e-6
            let numeric = (doubles(try hinge(plus)["loss"])[0] - doubles(try hinge(minus)["loss"])[0]) / 2e-6
            #expect(abs(numeric - grad[k]) <= 1e-6 * max(1, abs(numeric)), "squared hinge ∂/∂o[\(k)]")
        }
    }

    @Test func l2svm() throws {
        let o: [Double] = [0.5, -2, 1.5, -0.2, 0.9, 0.1]
        let labels = Tensor(shape: [2], storage: .int64([0, 2]))
        let y = doubles(try registry.call("l2svm-targets", inputs: ["labels": labels], parameters: ["C": .number(3)])["Y"])
        #expect(y == [1, -1, -1, -1, -1, 1])
        let hinge = zip(o, y).map { pow(max(0, 1 - $0 * $1), 2) }
        let none = doubles(
            try registry.call(
                "l2svm-squared-hinge", inputs: ["outputs": Tensor(shape: [2, 3], o), "labels": labels],
                parameters: ["reduction": .string("none")])["loss"])
        #expect(none == hinge)
        let w = Tensor(shape: [2, 2], [1, -2, 0.5, 3] as [Double])
        let code = doubles(
            try registry.call(
                "cnn-svm-objective", inputs: ["outputs": Tensor(shape: [2, 3], o), "labels": labels, "W": w],
                parameters: ["C": .number(2)])["loss"])[0]
        let paper = doubles(
            try registry.call(
                "l2svm-paper-objective", inputs: ["outputs": Tensor(shape: [2, 3], o), "labels": labels, "W": w],
                parameters: ["C": .number(2)])["loss"])[0]
        let squares = 1.0 + 4 + 0.25 + 9
        #expect(abs(code - (squares / 4 + 2 * hinge.reduce(0, +) / 6)) < 1e-14)
        #expect(abs(paper - (squares / 2 + 2 * hinge.reduce(0, +))) < 1e-14)
    }

    @Test func decoupledSoftmax() throws {
        let s: [Double] = [0.9, 0.1, 0.5, -0.2, 0.3, 0.3, 0.0, 0.8]
        let p: [Bool] = [true, false, true, false, false, false, false, false]
        let loss = doubles(
            try registry.call(
                "decoupled-softmax-loss", inputs: ["S": Tensor(shape: [2, 4], s), "P": Tensor(shape: [2, 4], p)],
                parameters: ["tau": .number(0.5)])["loss"])[0]
        // Row 0: positives 0 and 2 each against negatives 1 and 3; row 1 has none (0, but counts).
        let t = s.map { $0 / 0.5 }
        func term(_ pos: Double) -> Double { -log(exp(pos) / (exp(pos) + exp(t[1]) + exp(t[3]))) }
        #expect(abs(loss - (term(t[0]) + term(t[2])) / 2 / 2) < 1e-13)
        // Its gradient against central differences.
        func call(_ x: [Double]) throws -> [String: Tensor] {
            try registry.call(
                "decoupled-softmax-loss", inputs: ["S": Tensor(shape: [2, 4], x), "P": Tensor(shape: [2, 4], p)], parameters: ["tau": .number(0.5)])
        }
        let grad = doubles(try call(s)["grad"])
        for k in s.indices {
            var plus = s, minus = s
            plus[k] += 1e-6
            minus[k] -= 1e-6
            let numeric = (doubles(try call(plus)["loss"])[0] - doubles(try call(minus)["loss"])[0]) / 2e-6
            #expect(abs(numeric - grad[k]) <= 1e-6 * max(1, abs(numeric)), "∂/∂S[\(k)]")
        }
    }

    @Test func anyLoss() throws {
        let y: [Double] = [1, 0, 1, 1, 0], p: [Double] = [0.9, 0.2, 0.4, 0.7, 0.6]
        let out = try registry.call("anyloss", inputs: ["y": Tensor(shape: [5], y), "p": Tensor(shape: [5], p)], parameters: ["L": .number(10)])
        let a = p.map { 1 / (1 + exp(-10 * ($0 - 0.5))) }
        let tp = zip(y, a).map(*).reduce(0, +), sy = y.reduce(0, +), sa = a.reduce(0, +)
        let (fn, fp, tn) = (sy - tp, sa - tp, 5 - sy - sa + tp)
        #expect(abs(doubles(out["TP"])[0] - tp) < 1e-14 && abs(doubles(out["TN"])[0] - tn) < 1e-14)
        #expect(abs(doubles(out["accuracy_loss"])[0] - (1 - (tp + tn) / 5)) < 1e-14)
        #expect(abs(doubles(out["f1_loss"])[0] - (1 - 2 * tp / (sy + sa))) < 1e-14)
        #expect(abs(doubles(out["f2_loss"])[0] - (1 - 5 * tp / (4 * sy + sa))) < 1e-14)
        #expect(abs(doubles(out["gmean_loss"])[0] - (1 - (tp / (tp + fn) * tn / (tn + fp)).squareRoot())) < 1e-14)
        #expect(abs(doubles(out["balanced_accuracy_loss"])[0] - (1 - (tp / (tp + fn) + tn / (tn + fp)) / 2)) < 1e-14)
        let amp = doubles(try registry.call("anyloss-amplify", inputs: ["p": Tensor(shape: [5], p)])["a"])
        #expect(abs(amp[0] - 1 / (1 + exp(-73 * 0.4))) < 1e-15)
        #expect(throws: LossError.self) {
            try registry.call("anyloss", inputs: ["y": Tensor(shape: [2], [0.5, 1] as [Double]), "p": Tensor(shape: [2], [0.5, 1] as [Double])])
        }
    }

    /// Central differences of a scalar output of `call` with respect to one input.
    func checkGradient(_ x: [Double], _ gradient: [Double], _ what: String, h: Double = 1e-6, _ f: ([Double]) throws -> Double) rethrows {
        #expect(gradient.count == x.count, "\(what): gradient has \(gradient.count) values for \(x.count)")
        for k in x.indices where k < gradient.count {
            var plus = x, minus = x
            plus[k] += h
            minus[k] -= h
            let numeric = (try f(plus) - f(minus)) / (2 * h)
            #expect(abs(numeric - gradient[k]) <= 1e-6 * max(1, abs(numeric)), "\(what) ∂/∂x[\(k)]: \(gradient[k]) vs \(numeric)")
        }
    }

    @Test func svmObjectiveGradients() throws {
        var g = SplitMix64(seed: 21)
        let o = (0..<15).map { _ in 1.5 * g.normal() }, w = (0..<6).map { _ in g.normal() }
        let labels = Tensor(shape: [3], storage: .int64([4, 0, 2]))
        for id in ["cnn-svm-objective", "l2svm-paper-objective"] {
            func call(_ o: [Double], _ w: [Double]) throws -> [String: Tensor] {
                try registry.call(
                    id, inputs: ["outputs": Tensor(shape: [3, 5], o), "labels": labels, "W": Tensor(shape: [2, 3], w)],
                    parameters: ["C": .number(0.7)])
            }
            let out = try call(o, w)
            #expect(out["grad_W"]?.shape == [2, 3] && out["grad"]?.shape == [3, 5])
            try checkGradient(o, doubles(out["grad"]), "\(id) outputs") { try doubles(call($0, w)["loss"])[0] }
            try checkGradient(w, doubles(out["grad_W"]), "\(id) W") { try doubles(call(o, $0)["loss"])[0] }
        }
    }

    @Test func anyLossGradients() throws {
        var g = SplitMix64(seed: 22)
        let y: [Double] = [1, 0, 1, 1, 0, 0, 1, 0]
        let p = y.map { _ in Double.random(in: 0.2..<0.8, using: &g) }
        for l in [5.0, 20] {
            func call(_ p: [Double]) throws -> [String: Tensor] {
                try registry.call("anyloss", inputs: ["y": Tensor(shape: [8], y), "p": Tensor(shape: [8], p)], parameters: ["L": .number(l)])
            }
            let out = try call(p)
            for name in ["accuracy_loss", "f1_loss", "f2_loss", "gmean_loss", "balanced_accuracy_loss"] {
                try checkGradient(p, doubles(out[name + "_grad"]), "anyloss \(name) L=\(l)", h: 1e-7) { try doubles(call($0)[name])[0] }
            }
        }
    }
}
