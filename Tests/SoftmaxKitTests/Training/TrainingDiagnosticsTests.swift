import SoftmaxKit
import Testing

/// ⊥Grad (the gradient without its component along the weights) and the Softmax Collapse
/// diagnostic.
@Suite struct TrainingDiagnosticsTests {
    let registry = MethodRegistry.standard

    func random(_ count: Int, seed: UInt64) -> [Double] {
        var g = SplitMix64(seed: seed)
        return (0..<count).map { _ in g.normal() }
    }

    @Test func perpendicularGradient() throws {
        let w = random(20, seed: 6), g = random(20, seed: 7)
        let perp = doubles(try registry.call("perp-grad", inputs: ["w": Tensor(shape: [4, 5], w), "g": Tensor(shape: [4, 5], g)])["g_perp"])
        let dot: Double = zip(w, perp).map(*).reduce(0, +)
        #expect(abs(dot) < 1e-12)
        let scaled = doubles(
            try registry.call("perp-grad", inputs: ["w": Tensor(shape: [20], w), "g": Tensor(shape: [20], g)], parameters: ["rescale": .boolean(true)])[
                "g_perp"])
        let scaledNorm: Double = scaled.map { $0 * $0 }.reduce(0, +), gradientNorm: Double = g.map { $0 * $0 }.reduce(0, +)
        #expect(abs(scaledNorm - gradientNorm) < 1e-10)
        let zero = doubles(
            try registry.call("perp-grad", inputs: ["w": Tensor(shape: [3], [0, 0, 0] as [Double]), "g": Tensor(shape: [3], [1, 2, 3] as [Double])])["g_perp"])
        #expect(zero == [1, 2, 3])
    }

    @Test func softmaxCollapse() throws {
        let x = Tensor(shape: [3, 2], [0, -20, 0, -10, 0, -40] as [Double])
        guard case let .bool(f32)? = try registry.call("softmax-collapse", inputs: ["logits": x])["collapsed"]?.storage,
            case let .bool(f64)? = try registry.call("softmax-collapse", inputs: ["logits": x], parameters: ["dtype": .string("float64")])["collapsed"]?.storage
        else {
            Issue.record("softmax-collapse must return booleans")
            return
        }
        #expect(f32 == [true, false, true] && f64 == [false, false, true])
    }
}
