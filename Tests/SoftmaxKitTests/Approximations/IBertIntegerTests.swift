import Testing

@testable import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// I-BERT's integer kernels, bit for bit against the reference code's arithmetic: PyTorch runs
/// them on float64 tensors holding integers, which is exact below 2⁵³, so a float64 transcription
/// of `quant_modules.py` must agree with the Int64 kernels exactly.
@Suite struct IBertIntegerTests {
    /// `IntSoftmax.int_exp` on float64, as the code writes it.
    func referenceExp(_ q: Double, _ s: Double) -> Double {
        let a = 0.35815147, b = 0.96963238 / a, c = 1.0 / a
        let q0 = floor(-0.6931 / s)
        let x = max(q, 30 * q0)
        let z = floor(x / q0)
        let r = x - q0 * z
        let p = r * (r + floor(b / s)) + floor(c / (s * s))
        return max(floor(p * pow(2, 30 - z)), 0)
    }

    /// `IntGELU.forward` on float64 (returns the integer y).
    func referenceGELU(_ q: Double, _ s: Double) -> Double {
        let a = -0.2888, b = -1.769, c = 1 / a
        let sp = s / 1.4142
        let bInt = floor(b / sp), cInt = floor(c / (sp * sp))
        let sign: Double = q > 0 ? 1 : q < 0 ? -1 : 0
        let t = min(abs(q), -bInt)
        let l = floor(sign * ((t + bInt) * (t + bInt) + cInt) / pow(2, 14))
        let sL = sp * sp * a * pow(2, 14)
        return q * (l + floor(1 / sL))
    }

    @Test(arguments: [0x1p-14, 0x1p-10, 0x1p-6, 0.05, 0.1])
    func expIsBitExact(_ s: Double) throws {
        let k = IBertInteger.ExpConstants(scale: s)
        var g = SplitMix64(seed: 3)
        for _ in 0..<20_000 {
            let q = -Int64(Double.random(in: 0...25, using: &g) / s)
            #expect(Double(IBertInteger.exp(q, k)) == referenceExp(Double(q), s), "q = \(q), S = \(s)")
        }
    }

    /// The integer exponential approximates eˣ: the polynomial and x0 = −0.6931 ≠ −ln2 give up to
    /// ≈ 0.5% for fine scales; coarse scales also round q0·S away from −ln2 (S = 2⁻⁶: 2.5%), so only
    /// fine ones here.
    @Test(arguments: [0x1p-14, 0x1p-12, 0x1p-10])
    func expApproximatesTheExponentialAtFineScales(_ s: Double) {
        let k = IBertInteger.ExpConstants(scale: s)
        let step = max(1, Int(0.01 / s))
        for qi in stride(from: 0, through: -Int(5 / s), by: -step) {
            let q = Int64(qi)
            let x = Double(q) * s
            #expect(abs(Double(IBertInteger.exp(q, k)) * k.outputScale - exp(x)) <= 6e-3 * exp(x) + 2 * s * s, "x = \(x)")
        }
    }

    @Test(arguments: [0x1p-14, 0x1p-12, 0x1p-10])
    func geluIsBitExact(_ s: Double) {
        let k = IBertInteger.GELUConstants(scale: s)
        var g = SplitMix64(seed: 4)
        for _ in 0..<20_000 {
            let q = Int64((Double.random(in: -6...6, using: &g) / s).rounded())
            #expect(Double(IBertInteger.gelu(q, k)) == referenceGELU(Double(q), s), "q = \(q), S = \(s)")
        }
        // Close to GELU (the paper: the erf polynomial is within ≈ 2·10⁻² absolute).
        for i in -600...600 {
            let x = Double(i) / 100, q = Int64((x / s).rounded())
            let gelu = x * erfc(-x / 2.0.squareRoot()) / 2
            #expect(abs(Double(IBertInteger.gelu(q, k)) * k.outputScale - gelu) < 2.5e-2, "x = \(x)")
        }
    }

    @Test func softmaxIsBitExactAndNearSoftmax() throws {
        var g = SplitMix64(seed: 5)
        let s = 0x1p-6
        for _ in 0..<50 {
            let q = (0..<64).map { _ in Int64((4 * g.normal() / s).rounded()) }
            let out = try MethodRegistry.standard.call(
                "ibert-softmax-int", inputs: ["q": Tensor(shape: [64], storage: .int64(q))],
                parameters: ["S": .number(s)])
            guard case let .int64(o)? = out["out_int"]?.storage else { Issue.record("int64 out"); return }
            // The reference pipeline on float64.
            let top = Double(q.max()!)
            let e16 = q.map { v -> Double in
                let e = referenceExp(Double(v) - top, s) * 0.35815147 * s * s / pow(2, 30)
                return min(max((e * 32767).rounded(.toNearestOrEven), 0), 32766)
            }
            let factor = floor(pow(2, 32) / e16.reduce(0, +))
            #expect(o.map(Double.init) == e16.map { floor($0 * factor / pow(2, 24)) })
            let exact = SoftmaxReference.softmax(q.map { Double($0) * s })
            for (a, b) in zip(o, exact) { #expect(abs(Double(a) / 256 - b) <= 3.0 / 256 + 3e-3 * b) }
        }
    }

    /// The quantiser's rounding equals `rounded(.toNearestOrEven)` on ties, near-ties and random
    /// values of every magnitude up to 2⁵¹.
    @Test func roundingToNearestEvenMatchesTheStandardLibrary() {
        var g = SplitMix64(seed: 11)
        var values: [Double] = []
        for k in -1000...1000 {
            let whole = Double(k)
            values += [whole + 0.5, whole - 0.5, whole, whole + 0.49999999999999994]
        }
        values += [0x1p51, -0x1p51, 0x1p51 - 0.5, -(0x1p51 - 0.5), 0x1p50 + 0.5, 0.0, -0.0]
        for _ in 0..<100_000 {
            let magnitude = Double.scalarExp2(Double(Int(g.next() % 52)))
            values.append((g.openUniform() * 2 - 1) * magnitude)
        }
        for v in values {
            #expect(Int64(IBertInteger.roundedToNearestEven(v)) == Int64(v.rounded(.toNearestOrEven)), "\(v)")
        }
    }
}
