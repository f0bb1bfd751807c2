import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The mixture-of-experts gates on small routers whose weights can be written down: ties to the
/// lower index, every top-K order, the temperature and the activation forms.
@Suite struct MixtureGatesTests {
    let registry = MethodRegistry.standard

    @Test func theGatesMatchTheirDefinitions() throws {
        let x = Tensor(shape: [2, 3], [1, 0, 0, 0, 1, 0] as [Double])
        let b1 = Tensor(shape: [4, 3], [1, 0, 0, 1, 0, 0, 0, 1, 0, 0.5, 0, 0] as [Double])  // experts 0 and 1 tie for row 0
        let g = doubles(try registry.call("topk-softmax-gate", inputs: ["x": x, "B1": b1], parameters: ["k": .number(1)])["G"])
        #expect(Array(g[0..<4]) == [1, 0, 0, 0])
        #expect(Array(g[4..<8]) == [0, 0, 1, 0])
        let g2 = doubles(try registry.call("topk-softmax-gate", inputs: ["x": x, "B1": b1], parameters: ["k": .number(3)])["G"])
        let total: Double = g2[0] + g2[1] + g2[2] + g2[3]
        #expect(abs(g2[0] - g2[1]) < 1e-15)
        #expect(g2[2] == 0)
        #expect(abs(total - 1) < 1e-15)
        // The other orders: scores of row 1 are [0, 0, 1, 0] (expert 2 first, then the tie 0, 1 → 0).
        func order(_ name: String) throws -> [Double] {
            Array(
                doubles(try registry.call("topk-softmax-gate", inputs: ["x": x, "B1": b1], parameters: ["k": .number(2), "order": .string(name)])["G"])[4..<8])
        }
        let e = exp(1.0), z = e + 3
        let reference = try order("topk-softmax")
        #expect(zip(try order("softmax-topk"), reference).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(abs(reference[2] - e / (e + 1)) < 1e-15 && reference[1] == 0 && reference[3] == 0)
        let switchGate = try order("softmax-topk-unnormalized")
        #expect(abs(switchGate[2] - e / z) < 1e-15 && abs(switchGate[0] - 1 / z) < 1e-15 && switchGate[1] == 0)
        let sigmoid = try order("sigmoid-topk"), s1 = 1 / (1 + exp(-1.0))
        #expect(abs(sigmoid[2] - s1 / (s1 + 0.5)) < 1e-15 && abs(sigmoid[0] - 0.5 / (s1 + 0.5)) < 1e-15)
        #expect(throws: (any Error).self) { try order("random") }
        // More experts kept than the router has is an error, not a dense gate.
        #expect(throws: LossError.self) { try registry.call("topk-softmax-gate", inputs: ["x": x, "B1": b1], parameters: ["k": .number(1000)]) }
        let cold = doubles(try registry.call("dense-to-sparse-gate", inputs: ["x": x, "B1": b1], parameters: ["tau": .number(0.01)])["G"])
        #expect(cold[6] > 0.999)
        let act = doubles(
            try registry.call(
                "activation-dense-to-sparse-gate", inputs: ["x": x, "B1": b1, "b0": Tensor(shape: [4], [0, 0, 0, 0] as [Double])],
                parameters: ["tau": .number(0.5), "activation": .string("tanh")])["G"])
        let scores: [Double] = [tanh(1.0), tanh(1.0), 0, tanh(0.5)]
        let s = scores.map { exp($0 / 0.5) }
        let sum: Double = s.reduce(0, +)
        for k in 0..<4 { #expect(abs(act[k] - s[k] / sum) < 1e-14) }
    }
}
