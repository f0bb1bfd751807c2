#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// I-BERT's integer-only kernels: values are `x = q·S` with an integer `q` and a real
/// scale `S`; every operation on `q` is exact integer arithmetic (Int64, `⌊·⌋` toward −∞), and
/// the constants derived from `S` are computed once in Double, as the reference code does.
/// Results are bit-exact by construction; `S` must be at least 2⁻¹⁴ (Int64 then suffices).
///
/// Measured (tests and lab): i-exp within 0.5% of eˣ for S ≤ 2⁻¹⁰ (coarser scales round q0·S away
/// from −ln2: 2.5% at S = 2⁻⁶); i-GELU within 5.4·10⁻² of GELU (S = 2⁻¹⁰); i-softmax within
/// 3/256 + 0.3% of softmax per output on 64-wide rows, but every probability below 1/256 floors to
/// 0, so wide rows with spread mass lose it (max total variation 0.5 over the lab's workloads).
///
/// S. Kim, A. Gholami, Z. Yao, M. W. Mahoney, K. Keutzer, "I-BERT: Integer-only BERT
/// Quantization", ICML 2021 (arXiv 2101.01321); kssteven418/I-BERT
/// `fairseq/quantization/utils/quant_modules.py` (`IntSoftmax`, `IntGELU`).
public enum IBertInteger {
    /// The smallest accepted scale.
    public static let minimumScale = 0x1p-14

    /// `v` rounded to the nearest integer, ties to even, for `|v| ≤ 2⁵¹` (callers clamp first to
    /// integral bounds, which commutes with rounding): adding and subtracting `1.5·2⁵²` leaves the
    /// sum in [2⁵², 2⁵³), whose spacing is 1, so the addition itself rounds. The same value as
    /// `v.rounded(.toNearestOrEven)` (up to the sign of a zero) without the `rint` call per element
    /// that spelling costs in a build for baseline x86-64.
    @inline(__always)
    static func roundedToNearestEven(_ v: Double) -> Double {
        (v + 0x1.8p52) - 0x1.8p52
    }

    /// `⌊a/b⌋` for integers (toward −∞).
    @inline(__always)
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The constants of i-exp for scale `S`.
    public struct ExpConstants: Sendable, Equatable {
        public let q0: Int64, bInt: Int64, cInt: Int64
        /// `S_e = a·S²/2ⁿ`.
        public let outputScale: Double

        /// The integer constants for input scale `S`.
        public init(scale s: Double) {
            let a = 0.35815147, b = 0.96963238, c = 1.0
            q0 = Int64(libmFloor(-0.6931 / s))
            bInt = Int64(libmFloor((b / a) / s))
            cInt = Int64(libmFloor((c / a) / (s * s)))
            outputScale = a * s * s / Double(1 << 30)
        }
    }

    /// i-exp of one `q ≤ 0`: `eˣ ≈ e·S_e`.
    ///
    /// ```
    /// x0 = −0.6931, n = 30:  q0 = ⌊x0/S⌋;  q ← max(q, n·q0);  z = ⌊q/q0⌋;  r = q − q0·z
    /// b_int = ⌊(b/a)/S⌋;  c_int = ⌊(c/a)/S²⌋;  P = r·(r + b_int) + c_int
    /// e = max(⌊P·2^{n−z}⌋, 0)           (a = 0.35815147, b = 0.96963238, c = 1)
    /// ```
    @inline(__always)
    public static func exp(_ q: Int64, _ k: ExpConstants) -> Int64 {
        let clamped = max(q, 30 * k.q0)
        let z = floorDivide(clamped, k.q0)
        let r = clamped - k.q0 * z
        let p = r * (r + k.bInt) + k.cInt
        return max(p << (30 - z), 0)
    }

    /// i-softmax of one row of integers: writes `out` (probability `out/2^outputBits`).
    ///
    /// ```
    /// q ← q − max q;  e = i-exp(q);  e16 = clamp(rne(e·S_e·(2¹⁵−1)), 0, 2¹⁵−2)
    /// factor = ⌊2³²/Σe16⌋;  out = ⌊e16·factor / 2^{32−m}⌋
    /// ```
    /// The 16-bit requantisation uses the symmetric scale 1/(2¹⁵−1) (calibrated range 1; the code's
    /// `QuantAct(16)` tracks a running range, which a stateless function cannot). `skip[i]` marks
    /// masked (−∞) positions, which get 0. Outputs are floored, so a row sums to slightly less
    /// than 2^m (a lone entry gets 255/256 at m = 8, not 1): the definition, not a defect.
    public static func softmaxRow(
        _ q: UnsafePointer<Int64>, count n: Int, skip: UnsafePointer<Bool>?, scale: Double,
        outputBits m: Int, requantBits: Int, into out: UnsafeMutablePointer<Int64>
    ) {
        guard n > 0 else { return }
        let k = ExpConstants(scale: scale)
        var top = Int64.min
        for i in 0..<n where skip?[i] != true { top = max(top, q[i]) }
        let levels = Double((1 << (requantBits - 1)) - 1)
        var sum: Int64 = 0
        for i in 0..<n {
            if skip?[i] == true || top == .min { out[i] = 0; continue }
            let e = exp(q[i] - top, k)
            let e16 = Int64(roundedToNearestEven(min(max(Double(e) * k.outputScale * levels, 0), levels - 1)))
            out[i] = e16
            sum += e16
        }
        guard sum > 0 else { return }
        let factor = floorDivide(1 << 32, sum)
        for i in 0..<n { out[i] = (out[i] * factor) >> (32 - m) }
    }

    /// The constants of i-GELU for scale `S`.
    public struct GELUConstants: Sendable, Equatable {
        public let bInt: Int64, cInt: Int64, one: Int64
        /// `S_y = S·S_L/2` (negative, as `S_L` is).
        public let outputScale: Double

        /// The integer constants for input scale `S`.
        public init(scale s: Double) {
            let a = -0.2888, b = -1.769, sPrime = s / 1.4142
            bInt = Int64(libmFloor(b / sPrime))
            cInt = Int64(libmFloor((1 / a) / (sPrime * sPrime)))
            let sL = a * sPrime * sPrime * Double(1 << 14)
            one = Int64(libmFloor(1 / sL))
            outputScale = s * sL / 2
        }
    }

    /// i-GELU of one `q`: `GELU(x) ≈ y·S_y`.
    ///
    /// ```
    /// S' = S/1.4142;  b_int = ⌊b/S'⌋;  c_int = ⌊(1/a)/S'²⌋;  t = min(|q|, −b_int)
    /// L = ⌊sign(q)·((t + b_int)² + c_int) / 2¹⁴⌋;  S_L = a·S'²·2¹⁴;  one = ⌊1/S_L⌋
    /// y = q·(L + one)                                   (a = −0.2888, b = −1.769)
    /// ```
    @inline(__always)
    public static func gelu(_ q: Int64, _ k: GELUConstants) -> Int64 {
        let t = min(q.magnitude, UInt64(-k.bInt))
        let u = Int64(t) + k.bInt
        let signed = q.signum() * (u * u + k.cInt)
        return q * ((signed >> 14) + k.one)
    }
}
