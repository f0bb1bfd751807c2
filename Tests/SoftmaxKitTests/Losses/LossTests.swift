import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Losses against their definitions and central finite differences (Double).
@Suite struct LossTests {
    let registry = MethodRegistry.standard

    func random(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in scale * g.normal() }
    }

    /// Central differences of `f` at `x`, against `gradient`.
    func checkGradient(_ x: [Double], _ gradient: [Double], _ what: String, _ f: ([Double]) throws -> Double) rethrows {
        let h = 1e-6
        for k in x.indices {
            var plus = x, minus = x
            plus[k] += h
            minus[k] -= h
            let numeric = (try f(plus) - f(minus)) / (2 * h)
            #expect(abs(numeric - gradient[k]) <= 1e-6 * max(1, abs(numeric)), "\(what) ∂/∂x[\(k)]: \(gradient[k]) vs \(numeric)")
        }
    }

    @Test func crossEntropyMatchesItsDefinitionAndGradient() throws {
        let (n, c) = (5, 7)
        let x = random(n * c, seed: 1, scale: 2)
        let labels = Tensor(shape: [n], storage: .int64([0, 6, -100, 3, 3]))
        let weight = Tensor(shape: [c], random(c, seed: 2).map { abs($0) + 0.1 })
        for (smoothing, reduction) in [(0.0, "mean"), (0.1, "mean"), (0.2, "sum")] {
            func call(_ logits: [Double]) throws -> [String: Tensor] {
                try registry.call(
                    "cross-entropy", inputs: ["logits": Tensor(shape: [n, c], logits), "labels": labels, "weight": weight],
                    parameters: ["label_smoothing": .number(smoothing), "reduction": .string(reduction)])
            }
            let out = try call(x)
            try checkGradient(x, doubles(out["grad"]), "cross-entropy ε=\(smoothing) \(reduction)") { try doubles(call($0)["loss"])[0] }
            // The ignored row: zero loss, zero gradient.
            #expect(doubles(out["per_example"])[2] == 0 && doubles(out["grad"])[(2 * c)..<(3 * c)].allSatisfy { $0 == 0 })
        }
        // Without weights or smoothing: −log softmax(x)_y.
        let plain = try registry.call(
            "cross-entropy", inputs: ["logits": Tensor(shape: [n, c], x), "labels": Tensor(shape: [n], storage: .int64([1, 2, 3, 4, 5]))],
            parameters: ["reduction": .string("none")])
        for i in 0..<n {
            let row = Array(x[(i * c)..<((i + 1) * c)]), m = row.max()!
            let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
            #expect(abs(doubles(plain["per_example"])[i] - (lse - row[i + 1])) < 1e-13)
        }
        // Probability targets.
        let t = (0..<n).flatMap { _ -> [Double] in
            let r = random(c, seed: 9).map { exp($0) }; let s = r.reduce(0, +); return r.map { $0 / s }
        }
        func probabilities(_ logits: [Double]) throws -> [String: Tensor] {
            try registry.call("cross-entropy", inputs: ["logits": Tensor(shape: [n, c], logits), "target": Tensor(shape: [n, c], t)])
        }
        try checkGradient(x, doubles(try probabilities(x)["grad"]), "cross-entropy, probability targets") { try doubles(probabilities($0)["loss"])[0] }
    }

    @Test func crossEntropyOverALargeVocabulary() throws {
        let c = 256_000
        let x = random(c, seed: 3, scale: 3)
        let out = try registry.call("cross-entropy", inputs: ["logits": Tensor(shape: [1, c], x), "labels": Tensor(shape: [1], storage: .int64([12345]))])
        let m = x.max()!
        let lse = m + log(x.map { exp($0 - m) }.reduce(0, +))
        #expect(abs(doubles(out["loss"])[0] - (lse - x[12345])) < 1e-10)
        #expect(abs(doubles(out["grad"]).reduce(0, +)) < 1e-10)  // softmax − onehot sums to 0
    }

    @Test func chunkedCrossEntropyEqualsTheUnchunkedOne() throws {
        let (n, c) = (3, 10_007)
        let x = random(n * c, seed: 4, scale: 4)
        let logits = Tensor(shape: [n, c], x), labels = Tensor(shape: [n], storage: .int64([0, 5000, 10_006]))
        let whole = try registry.call("cross-entropy", inputs: ["logits": logits, "labels": labels], parameters: ["label_smoothing": .number(0.1)])
        for chunk in [1, 7, 1024, 4096, 20_000] {
            let part = try registry.call(
                "cross-entropy", inputs: ["logits": logits, "labels": labels],
                parameters: ["label_smoothing": .number(0.1), "chunk": .number(Double(chunk))])
            #expect(abs(doubles(part["loss"])[0] - doubles(whole["loss"])[0]) < 1e-12, "chunk \(chunk)")
            #expect(zip(doubles(part["grad"]), doubles(whole["grad"])).allSatisfy { abs($0 - $1) < 1e-15 }, "chunk \(chunk)")
        }
        // Float logits: the chunked logsumexp stays within Float rounding of the unchunked one.
        let f = x.map { Float($0) }
        let a = try CrossEntropy.compute(logits: f, rows: n, classes: c, targets: .indices([1, 2, 3]), withGradient: false)
        let b = try CrossEntropy.compute(logits: f, rows: n, classes: c, targets: .indices([1, 2, 3]), withGradient: false, chunk: 333)
        #expect(abs(a.loss - b.loss) < 1e-5 && b.gradient.isEmpty)
        #expect(throws: LossError.self) { try CrossEntropy.compute(logits: f, rows: n, classes: c, targets: .indices([1, 2, 3]), chunk: -1) }
    }

    @Test func crossEntropyErrors() {
        let x = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6] as [Double])
        #expect(throws: LossError.self) { try registry.call("cross-entropy", inputs: ["logits": x, "labels": Tensor(shape: [2], storage: .int64([0, 3]))]) }
        #expect(throws: RegistryError.self) { try registry.call("cross-entropy", inputs: ["logits": x]) }
        #expect(throws: RegistryError.self) {
            try registry.call(
                "cross-entropy", inputs: ["logits": x, "labels": Tensor(shape: [2], storage: .int64([0, 1]))], parameters: ["label_smoothing": .number(2)])
        }
        // Labels are one index per row: not a column, not booleans; probability targets are ≥ 0.
        #expect(throws: TensorError.self) {
            try registry.call("cross-entropy", inputs: ["logits": x, "labels": Tensor(shape: [2, 1], storage: .int64([0, 1]))])
        }
        #expect(throws: TensorError.self) { try registry.call("cross-entropy", inputs: ["logits": x, "labels": Tensor(shape: [2], [true, false])]) }
        let negative = Tensor(shape: [2, 3], [1.5, -0.5, 0, 0, 0, 1] as [Double])
        #expect(throws: LossError.self) { try registry.call("cross-entropy", inputs: ["logits": x, "target": negative]) }
    }

    @Test func stableMaxCrossEntropy() throws {
        let (n, c) = (4, 6)
        let x = random(n * c, seed: 4, scale: 3)
        let labels = Tensor(shape: [n], storage: .int64([0, 5, 2, 2]))
        func call(_ logits: [Double]) throws -> [String: Tensor] {
            try registry.call("stablemax-cross-entropy", inputs: ["logits": Tensor(shape: [n, c], logits), "labels": labels])
        }
        let out = try call(x)
        try checkGradient(x, doubles(out["grad"]), "stablemax-cross-entropy") { try doubles(call($0)["mean"])[0] }
        let sm = doubles(try registry.call("stablemax", inputs: ["x": Tensor(shape: [n, c], x)])["y"])
        for (i, y) in [0, 5, 2, 2].enumerated() { #expect(abs(doubles(out["per_example"])[i] + log(sm[i * c + y])) < 1e-13) }
    }

    @Test func zLossIsInvariantAndHasItsGradient() throws {
        let (n, d) = (3, 5)
        let o = random(n * d, seed: 5)
        let c = Tensor(shape: [n], storage: .int64([1, 4, 0]))
        func call(_ v: [Double], a: Double = 2, b: Double = 0.5) throws -> [Double] {
            doubles(
                try registry.call("z-loss", inputs: ["o": Tensor(shape: [n, d], v), "c": c], parameters: ["a": .number(a), "b": .number(b)])["per_example"])
        }
        let base = try call(o)
        for (x, y) in zip(base, try call(o.map { 3 * $0 - 7 })) { #expect(abs(x - y) < 1e-12) }
        let grad = doubles(
            try registry.call("z-loss", inputs: ["o": Tensor(shape: [n, d], o), "c": c], parameters: ["a": .number(2), "b": .number(0.5)])["grad"])
        try checkGradient(o, grad, "z-loss") { try call($0).reduce(0, +) }
        let z = doubles(try registry.call("z-normalize", inputs: ["o": Tensor(shape: [1, 3], [1, 1, 1] as [Double])])["z"])
        #expect(z == [0, 0, 0])
    }
}
