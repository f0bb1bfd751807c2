import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Fourier head: its density is the squared modulus form, integrates to 1, and its binned
/// pmf, logits and regulariser follow their definitions.
@Suite struct FourierHeadTests {
    let registry = MethodRegistry.standard

    @Test func densityPmfAndRegulariser() throws {
        let n = 3
        let r: [Double] = [0.8, -0.3, 0.5, 0.1, 0.0, 0.2, -0.4, 0.3]  // a_k = r_k + i·r_{4+k}
        let params = Tensor(shape: [1, 8], r)
        let xs = (0...2000).map { -1 + Double($0) / 1000 }
        let pdf = doubles(try registry.call("fourier-pdf", inputs: ["params": params, "x": Tensor(shape: [xs.count], xs)])["pdf"])
        var c0 = 0.0
        for k in 0...n { c0 += r[k] * r[k] + r[4 + k] * r[4 + k] }
        for (x, p) in zip(xs, pdf) {
            var sr = 0.0, si = 0.0
            for m in 0...n {
                let angle: Double = Double.pi * Double(m) * x
                let (cm, sm) = (cos(angle), sin(angle))
                sr += r[m] * cm - r[4 + m] * sm
                si += r[m] * sm + r[4 + m] * cm
            }
            #expect(abs(p - (sr * sr + si * si) / (2 * c0)) < 1e-13)
        }
        let integral = zip(pdf.dropFirst(), pdf).map { ($0 + $1) / 2 * 0.001 }.reduce(0, +)
        #expect(abs(integral - 1) < 1e-6)
        let head = try registry.call("fourier-head", inputs: ["params": params], parameters: ["n_bins": .number(8), "gamma": .number(0.5)])
        let pmf = doubles(head["pmf"]), logits = doubles(head["logits"])
        #expect(abs(pmf.reduce(0, +) - 1) < 1e-14 && head["pmf"]?.shape == [1, 8] && head["c"]?.shape == [1, 4, 2])
        for (p, l) in zip(pmf, logits) { #expect(abs(l - log(p + 1e-5)) < 1e-14) }
        #expect(doubles(head["bin_centers"]).first == -1 + 1.0 / 8)
        let c = doubles(head["c"])
        var reg = 0.0
        for k in 0...n { reg += 2 * Double.pi * Double.pi * Double(k * k) * (c[2 * k] * c[2 * k] + c[2 * k + 1] * c[2 * k + 1]) }
        #expect(abs(doubles(head["regularization"])[0] - 0.5 * 2 * reg) < 1e-12)
        #expect(abs(c[0] - c0) < 1e-15 && c[1] == 0)
        #expect(throws: LossError.self) { try registry.call("fourier-head", inputs: ["params": Tensor(shape: [8], [Double](repeating: 0, count: 8))]) }
        #expect(throws: TensorError.self) { try registry.call("fourier-head", inputs: ["params": Tensor(shape: [7], [Double](repeating: 1, count: 7))]) }
    }
}
