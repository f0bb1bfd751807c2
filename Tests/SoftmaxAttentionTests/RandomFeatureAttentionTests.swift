import Foundation
import SoftmaxAttention
import SoftmaxKit
import Testing

/// Performer's features and attention, and Scatterbrain, against their defining properties:
/// unbiased kernel estimates, the google form equal to the ideal one at ε = 0, and Scatterbrain
/// reducing to exact attention (full support) and to Performer (empty support).
@Suite struct RandomFeatureAttentionTests {
    let registry = MethodRegistry.complete

    func matrix(_ rows: Int, _ cols: Int, seed: UInt64, scale: Double = 1) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [rows, cols], (0..<(rows * cols)).map { _ in scale * g.normal() })
    }

    @Test func featuresEstimateTheSoftmaxKernel() throws {
        let d = 8, r = 40_000
        let x = matrix(2, d, seed: 1, scale: 0.5), w = matrix(r, d, seed: 2)
        for hyperbolic in [false, true] {
            let phi = float64s(try registry.call("favor-features-ideal", inputs: ["X": x, "W": w], parameters: ["hyperbolic": .boolean(hyperbolic)])["phi"])
            let width = hyperbolic ? 2 * r : r
            let estimate = (0..<width).map { phi[$0] * phi[width + $0] }.reduce(0, +)
            let xv = float64s(x)
            let exact = exp((0..<d).map { xv[$0] * xv[d + $0] }.reduce(0, +) / Double(d).squareRoot())
            #expect(abs(estimate / exact - 1) < 0.03, "hyperbolic \(hyperbolic): \(estimate) vs \(exact)")
        }
    }

    @Test func googleFeaturesGiveTheIdealAttentionAtZeroEpsilon() throws {
        let q = matrix(9, 6, seed: 3), k = matrix(11, 6, seed: 4), v = matrix(11, 3, seed: 5), w = matrix(64, 6, seed: 6)
        for causal in [false, true] {
            let g = float64s(
                try registry.call(
                    "performer-attention", inputs: ["Q": q, "K": k, "V": v, "W": w],
                    parameters: ["mode": .string("google"), "eps": .number(0), "causal": .string(causal ? "top-left" : "none")])["out"])
            let i = float64s(
                try registry.call(
                    "performer-attention", inputs: ["Q": q, "K": k, "V": v, "W": w],
                    parameters: ["mode": .string("ideal"), "causal": .string(causal ? "top-left" : "none")])["out"])
            for (a, b) in zip(g, i) { #expect(abs(a - b) < 1e-12) }
        }
    }

    @Test func scatterbrainLimits() throws {
        let q = matrix(10, 4, seed: 7), k = matrix(10, 4, seed: 8), v = matrix(10, 2, seed: 9), w = matrix(16, 4, seed: 10)
        let everything = Tensor(shape: [10, 10], [Bool](repeating: true, count: 100))
        let full = float64s(try registry.call("scatterbrain-attention", inputs: ["Q": q, "K": k, "V": v, "W": w, "support": everything])["out"])
        let exact = float64s(try registry.call("attention", inputs: ["Q": q, "K": k, "V": v])["out"])
        for (a, b) in zip(full, exact) { #expect(abs(a - b) < 1e-12) }
        let none = float64s(
            try registry.call(
                "scatterbrain-attention", inputs: ["Q": q, "K": k, "V": v, "W": w],
                parameters: ["window": .number(0), "hyperbolic": .boolean(false)])["out"])
        let performer = float64s(
            try registry.call(
                "performer-attention", inputs: ["Q": q, "K": k, "V": v, "W": w],
                parameters: ["mode": .string("ideal")])["out"])
        for (a, b) in zip(none, performer) { #expect(abs(a - b) < 1e-12) }
        // Key padding removes keys from both parts: padding the last 3 keys = dropping them.
        let keep = Tensor(shape: [10], (0..<10).map { $0 < 7 })
        let padded = float64s(
            try registry.call(
                "scatterbrain-attention", inputs: ["Q": q, "K": k, "V": v, "W": w, "mask": keep],
                parameters: ["window": .number(4)])["out"])
        let kv = float64s(k), vv = float64s(v)
        let k7 = Tensor(shape: [7, 4], Array(kv[0..<28])), v7 = Tensor(shape: [7, 2], Array(vv[0..<14]))
        let local = (0..<10).flatMap { i in (0..<7).map { j in j >= i - 2 && j < i + 2 } }
        let dropped = float64s(
            try registry.call(
                "scatterbrain-attention",
                inputs: [
                    "Q": q, "K": k7, "V": v7, "W": w,
                    "support": Tensor(shape: [10, 7], local),
                ])["out"])
        for (a, b) in zip(padded, dropped) { #expect(abs(a - b) < 1e-12) }
    }
}

/// The float32 fast paths (matrix-multiply based) against the float64 definitions.
@Suite struct AttentionFloatPathTests {
    @Test func float32EnginesAgreeWithFloat64() throws {
        let registry = MethodRegistry.complete
        var g = SeededGenerator(seed: 31)
        func pair(_ r: Int, _ c: Int, _ s: Double = 1) -> (Tensor, Tensor) {
            let v = (0..<(r * c)).map { _ in s * g.normal() }
            return (Tensor(shape: [r, c], v.map { Float($0) }), Tensor(shape: [r, c], v.map { Double(Float($0)) }))
        }
        let (qf, qd) = pair(150, 16), (kf, kd) = pair(150, 16), (vf, vd) = pair(150, 8), (wf, wd) = pair(64, 16)
        let (lf, ld) = pair(19, 16, 0.4)
        // Key padding, a scattered support (rows 0–63 see nothing; some rows one key far away) and a pair mask.
        let keep = Tensor(shape: [150], (0..<150).map { $0 % 7 != 3 })
        func seen(_ e: Int) -> Bool {
            let (i, j) = (e / 150, e % 150)
            return i >= 64 && (j + 3 * i) % 11 == 0
        }
        let scattered = Tensor(shape: [150, 150], (0..<(150 * 150)).map(seen))
        let pairs = Tensor(shape: [150, 150], (0..<(150 * 150)).map { $0 % 5 != 0 })
        let cases: [(String, [String: Tensor], [String: Tensor], [String: ParameterValue])] = [
            ("performer-attention", ["Q": qf, "K": kf, "V": vf, "W": wf], ["Q": qd, "K": kd, "V": vd, "W": wd], [:]),
            ("performer-attention", ["Q": qf, "K": kf, "V": vf, "W": wf], ["Q": qd, "K": kd, "V": vd, "W": wd], ["mode": .string("ideal")]),
            ("linear-attention", ["Q": qf, "K": kf, "V": vf], ["Q": qd, "K": kd, "V": vd], [:]),
            ("nystrom-attention", ["Q": qf, "K": kf, "V": vf], ["Q": qd, "K": kd, "V": vd], ["landmarks": .number(10)]),
            ("soft-attention", ["Q": qf, "V": vf, "L": lf], ["Q": qd, "V": vd, "L": ld], [:]),
            ("scatterbrain-attention", ["Q": qf, "K": kf, "V": vf, "W": wf], ["Q": qd, "K": kd, "V": vd, "W": wd], [:]),
            (
                "scatterbrain-attention", ["Q": qf, "K": kf, "V": vf, "W": wf, "mask": keep], ["Q": qd, "K": kd, "V": vd, "W": wd, "mask": keep],
                ["window": .number(70), "hyperbolic": .boolean(false)]
            ),
            (
                "scatterbrain-attention", ["Q": qf, "K": kf, "V": vf, "W": wf, "support": scattered],
                ["Q": qd, "K": kd, "V": vd, "W": wd, "support": scattered], [:]
            ),
            ("sigmoid-attention", ["Q": qf, "K": kf, "V": vf, "mask": pairs], ["Q": qd, "K": kd, "V": vd, "mask": pairs], [:]),
        ]
        for (id, fin, din, params) in cases {
            guard case let .float32(a)? = try registry.call(id, inputs: fin, parameters: params)["out"]?.storage,
                case let .float64(b)? = try registry.call(id, inputs: din, parameters: params)["out"]?.storage
            else {
                Issue.record("\(id): dtypes"); continue
            }
            let scale = b.map(abs).max() ?? 1
            let worst = zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst <= 2e-4 * max(scale, 1), "\(id) \(params): \(worst)")
        }
    }
}
