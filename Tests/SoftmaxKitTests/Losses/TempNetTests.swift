import Foundation
import SoftmaxKit
import Testing

/// TempNet's per-row temperature softmax, DRO losses and heads against their formulas written out
/// in float64, gradients by central differences.
@Suite struct TempNetTests {
    let registry = MethodRegistry.standard

    func values(_ count: Int, seed: UInt64, scale: Double = 1) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in scale * g.normal() }
    }

    static func softmax(_ x: [Double]) -> [Double] {
        let m = x.max()!
        let e = x.map { exp($0 - m) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    @Test func tauSoftmaxPerRow() throws {
        let (n, c) = (5, 7)
        let z = values(n * c, seed: 1, scale: 3)
        let tau: [Double] = [1, 0.05, 3, 1e-3, 20]
        for dtype in [DType.float64, .float32] {
            let input = Tensor(shape: [n, c], z).converted(toFloat: dtype)
            let zs = try input.floatingPoint(as: Double.self, name: "logits", rounding: false)
            let y = doubles(try registry.call("tau-softmax", inputs: ["logits": input, "tau": Tensor(shape: [n], tau)])["y"])
            for r in 0..<n {
                let want = Self.softmax(zs[(r * c)..<(r * c + c)].map { $0 / tau[r] })
                for j in 0..<c { #expect(abs(y[r * c + j] - want[j]) <= (dtype == .float64 ? 1e-13 : 2e-6) * max(1, want[j]), "row \(r) \(dtype)") }
            }
        }
        let all = doubles(try registry.call("tau-softmax", inputs: ["logits": Tensor(shape: [n, c], z), "tau": Tensor(shape: [], [2.0])])["y"])
        let viaParameter = doubles(try registry.call("softmax", inputs: ["x": Tensor(shape: [n, c], z)], parameters: ["temperature": .number(2)])["y"])
        #expect(all == viaParameter, "a 0-d tau is the exact kernels' temperature")
        for bad in [0.0, -1, .nan, .infinity] {
            let error = #expect(throws: TensorError.self) {
                try registry.call("tau-softmax", inputs: ["logits": Tensor(shape: [n, c], z), "tau": Tensor(shape: [n], [1, 1, bad, 1, 1])])
            }
            #expect(error?.description.contains("input 'tau' holds") == true)
        }
    }

    @Test func droLossAndGradients() throws {
        let (n, k) = (4, 6)
        let z = values(n * k, seed: 2, scale: 2)
        let labels: [Int64] = [0, 5, 2, 3]
        let tau: [Double] = [1, 0.4, 2.5, 0.9]
        let rho = 7.0
        func loss(_ row: [Double], _ y: Int, _ t: Double) -> Double {
            t * log(row.map { exp(($0 - row[y]) / t) }.reduce(0, +) / Double(k)) + rho * t
        }
        let out = try registry.call(
            "tempnet-dro-loss",
            inputs: ["logits": Tensor(shape: [n, k], z), "labels": Tensor(shape: [n], storage: .int64(labels)), "tau": Tensor(shape: [n], tau)],
            parameters: ["rho": .number(rho)])
        let perExample = doubles(out["per_example"]), ce = doubles(out["ce"]), gz = doubles(out["grad_logits"]), gt = doubles(out["grad_tau"])
        for i in 0..<n {
            let row = Array(z[(i * k)..<(i * k + k)]), y = Int(labels[i])
            #expect(abs(perExample[i] - loss(row, y, tau[i])) < 1e-12)
            let logSum = log(row.map { exp($0 / tau[i]) }.reduce(0, +))
            #expect(abs(ce[i] - (logSum - row[y] / tau[i])) < 1e-12, "CE(z/τ, y)")
            #expect(abs(perExample[i] - (tau[i] * ce[i] + (rho - log(Double(k))) * tau[i])) < 1e-12)
            for j in 0..<k {
                var plus = row, minus = row
                plus[j] += 1e-6
                minus[j] -= 1e-6
                #expect(abs(gz[i * k + j] - (loss(plus, y, tau[i]) - loss(minus, y, tau[i])) / 2e-6) < 1e-7)
            }
            #expect(abs(gt[i] - (loss(row, y, tau[i] + 1e-6) - loss(row, y, tau[i] - 1e-6)) / 2e-6) < 1e-7)
        }
        #expect(abs(doubles(out["loss"])[0] - perExample.reduce(0, +) / Double(n)) < 1e-15)
    }

    @Test func contrastiveLossAndGradients() throws {
        let b = 5
        let s = values(b * b, seed: 3, scale: 0.3)
        let ti: [Double] = [0.05, 0.02, 0.1, 0.03, 0.07], tt: [Double] = [0.04, 0.06, 0.01, 0.05, 0.09]
        let rho = 6.5
        func side(_ s: [Double], _ tau: [Double], byRows: Bool) -> [Double] {
            (0..<b).map { i in
                let terms = (0..<b).filter { $0 != i }.map { j in
                    byRows ? (s[i * b + j] - s[i * b + i]) / tau[i] : (s[j * b + i] - s[i * b + i]) / tau[i]
                }
                let m = terms.max()!
                return tau[i] * (m + log(terms.map { exp($0 - m) }.reduce(0, +) / Double(b - 1))) + rho * tau[i]
            }
        }
        func total(_ s: [Double]) -> Double { (side(s, ti, byRows: true).reduce(0, +) + side(s, tt, byRows: false).reduce(0, +)) / Double(b) }
        let out = try registry.call(
            "tempnet-dro-contrastive-loss", inputs: ["S": Tensor(shape: [b, b], s), "tau_image": Tensor(shape: [b], ti), "tau_text": Tensor(shape: [b], tt)],
            parameters: ["rho": .number(rho)])
        #expect(abs(doubles(out["loss"])[0] - total(s)) < 1e-12)
        #expect(abs(doubles(out["image_loss"])[0] - side(s, ti, byRows: true).reduce(0, +) / Double(b)) < 1e-12)
        let gs = doubles(out["grad_S"])
        for k in 0..<(b * b) {
            var plus = s, minus = s
            plus[k] += 1e-7
            minus[k] -= 1e-7
            #expect(abs(gs[k] - (total(plus) - total(minus)) / 2e-7) < 1e-6, "∂loss/∂S[\(k)]")
        }
        let gti = doubles(out["grad_tau_image"]), gtt = doubles(out["grad_tau_text"])
        for i in 0..<b {
            var plus = ti, minus = ti
            plus[i] += 1e-8
            minus[i] -= 1e-8
            #expect(abs(gti[i] - (side(s, plus, byRows: true)[i] - side(s, minus, byRows: true)[i]) / 2e-8) < 1e-5 * max(1, abs(gti[i])))
            var up = tt, down = tt
            up[i] += 1e-8
            down[i] -= 1e-8
            #expect(abs(gtt[i] - (side(s, up, byRows: false)[i] - side(s, down, byRows: false)[i]) / 2e-8) < 1e-5 * max(1, abs(gtt[i])))
        }
        #expect(throws: TensorError.self) {
            try registry.call(
                "tempnet-dro-contrastive-loss",
                inputs: [
                    "S": Tensor(shape: [1, 1], [1] as [Double]), "tau_image": Tensor(shape: [1], [1] as [Double]),
                    "tau_text": Tensor(shape: [1], [1] as [Double]),
                ])
        }
    }

    static func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }

    @Test func heads() throws {
        let (n, v, m) = (3, 11, 4)
        let x = values(n * v, seed: 4, scale: 4)
        let w1 = values(m * v, seed: 5), b1 = values(m, seed: 6), w2 = values(m * m, seed: 7), b2 = values(m, seed: 8), w3 = values(m, seed: 9)
        let out = try registry.call(
            "tempnet-head",
            inputs: [
                "x": Tensor(shape: [n, v], x), "W1": Tensor(shape: [m, v], w1), "b1": Tensor(shape: [m], b1), "W2": Tensor(shape: [m, m], w2),
                "b2": Tensor(shape: [m], b2), "w3": Tensor(shape: [m], w3),
            ],
            parameters: ["b3": .number(0.2), "log_scaler": .number(0.5)])
        let tau = doubles(out["tau"])
        for i in 0..<n {
            let row = Array(x[(i * v)..<(i * v + v)])
            let shifted = row.map { $0 - row.max()! }
            let norm = sqrt(shifted.map { $0 * $0 }.reduce(0, +))
            let xh = shifted.map { $0 / norm }
            var hidden = [Double](repeating: 0, count: m), h = hidden
            for r in 0..<m {
                var sum = b1[r]
                for c in 0..<v { sum += w1[r * v + c] * xh[c] }
                hidden[r] = Self.sigmoid(sum)
            }
            for r in 0..<m {
                var sum = b2[r]
                for c in 0..<m { sum += w2[r * m + c] * hidden[c] }
                h[r] = sum
            }
            let w = Self.softmax(h.map { $0 / exp(0.5) })
            var t = 0.2
            for r in 0..<m { t += w3[r] * (w[r] - 1 / Double(m)) * h[r] }
            #expect(abs(tau[i] - ((2.0 - 0.01) * Self.sigmoid(t) + 0.01)) < 1e-14)
        }

        let d = 6
        let e = values(n * d, seed: 10), wp = values(d * d, seed: 11), bp = values(d, seed: 12), protos = values(m * d, seed: 13), w = values(m, seed: 14)
        let clip = doubles(
            try registry.call(
                "tempnet-clip-head",
                inputs: [
                    "x": Tensor(shape: [n, d], e), "Wp": Tensor(shape: [d, d], wp), "bp": Tensor(shape: [d], bp), "prototypes": Tensor(shape: [m, d], protos),
                    "w": Tensor(shape: [m], w),
                ])["tau"])
        for i in 0..<n {
            var h = [Double](repeating: 0, count: d), a = [Double](repeating: 0, count: m)
            for r in 0..<d {
                var sum = bp[r]
                for c in 0..<d { sum += wp[r * d + c] * e[i * d + c] }
                h[r] = Self.sigmoid(sum)
            }
            for r in 0..<m {
                var dot = 0.0, norm = 0.0
                for c in 0..<d {
                    dot += protos[r * d + c] * h[c]
                    norm += protos[r * d + c] * protos[r * d + c]
                }
                a[r] = dot / sqrt(norm)
            }
            let p = Self.softmax(a.map { $0 / 0.01 })
            var t = 0.0
            for r in 0..<m { t += w[r] * (p[r] - 1 / Double(m)) * Self.sigmoid(a[r]) }
            #expect(abs(clip[i] - ((0.05 - 0.005) * Self.sigmoid(t) + 0.005)) < 1e-15)
        }
        #expect(throws: TensorError.self) {
            try registry.call(
                "tempnet-head",
                inputs: [
                    "x": Tensor(shape: [n, v], x), "W1": Tensor(shape: [m, v + 1], [Double](repeating: 0, count: m * (v + 1))), "b1": Tensor(shape: [m], b1),
                    "W2": Tensor(shape: [m, m], w2), "b2": Tensor(shape: [m], b2), "w3": Tensor(shape: [m], w3),
                ])
        }
    }
}
