import _SoftmaxShims

/// GELU and its classic closed-form approximations, and SiLU (the exact references of the
/// approximate activations).
///
/// ```
/// gelu(x)         = x·Φ(x) = ½x·erfc(−x/√2)                       exact (erf form)
/// gelu-tanh(x)    = ½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))         GPT-2/BERT's approximation
/// gelu-sigmoid(x) = x·σ(1.702x)
/// silu(x)         = x·σ(x)
/// ```
/// `erfc` (not `1 + erf`) keeps the relative accuracy of `gelu` for negative x, where the result
/// is tiny. All map `+∞ → +∞`, `−∞ → 0`, NaN → NaN. Worst errors
/// of the approximations against `gelu` (float64, over [−8, 8], measured by
/// `softmaxkit accuracy gelu-tanh gelu-sigmoid`): gelu-tanh ≈ 4.7·10⁻⁴, gelu-sigmoid ≈ 2.0·10⁻².
/// gelu-tanh, gelu-sigmoid and silu map rows with the vector exponential (`mapGated`). `gelu`
/// in Double calls libm's `erfc` per element; Float rows run eight lanes at a time in Double
/// (`Exact.vector`: within 1 ULP of the correctly rounded result, ≈ 30× faster than libm), and
/// single Float values (and row tails) take the libm path, correctly rounded.
///
/// D. Hendrycks, K. Gimpel, "Gaussian Error Linear Units (GELUs)", 2016 (arXiv 1606.08415);
/// S. Elfwing et al., "Sigmoid-Weighted Linear Units", 2017 (arXiv 1702.03118).
public enum GELU {
    /// Float arguments are evaluated in Double and rounded once: in Float, the rounding of
    /// `−x/√2` alone costs `x²·2⁻²⁴` relative in the far negative tail (≈ 200 ULP at x = −10).
    public struct Exact: ElementwiseFunction {
        public init() {}
        public func callAsFunction(_ x: Float) -> Float { Float(Self.gelu(Double(x))) }
        public func callAsFunction(_ x: Double) -> Double { Self.gelu(x) }
        @inline(__always) static func gelu<T: KernelScalar>(_ x: T) -> T {
            if x == .infinity { return x }
            if x == -.infinity { return 0 }
            return x * T.scalarErfc(-x * T(0.707_106_781_186_547_5)) / 2
        }

        public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
            var i = 0
            while i + 8 <= n {
                sk_store_f64x8_as_f32x8(y + i, Self.vector(sk_load_f32x8_as_f64x8(x + i)))
                i += 8
            }
            while i < n {
                y[i] = self(x[i])
                i += 1
            }
        }

        /// `x·Φ(x)` on eight Double lanes through the upper tail `Q(z) = Φ(−z) = e^{−z²/2}·g(z)`,
        /// `z = |x|`: `g` (smooth, 0.5 at 0, ~1/(z√2π) far out) is a degree-12 polynomial in
        /// `u = (2t − 1.25)/0.75`, `t = 1/(1 + z/5)`, fitted here by least squares in the relative
        /// sense over z ∈ [0, 15] (relative error 3·10⁻¹⁰); then `Φ = Q` for x < 0, `1 − Q` else.
        /// The relative accuracy of `Q` keeps the far negative tail accurate, and Float's
        /// rounding of the result dominates every other error. x ≤ −10³⁰ (−∞) gives −0, NaN stays.
        @inline(__always)
        static func vector(_ input: SIMD8<Double>) -> SIMD8<Double> {
            let x = input.replacing(with: -1e30, where: input .< -1e30)
            let z = x.replacing(with: -x, where: x .< 0)
            let t = 1 / (1 + z * 0.2)
            let u = t * (8.0 / 3) - 5.0 / 3
            var g = SIMD8<Double>(repeating: 1.763463384240684e-07)
            for c in Self.tail { g = Double.multiplyAdd(SIMD8(repeating: c), g, u) }
            let q = Double.exp(z * z * -0.5) * g
            return x * q.replacing(with: 1 - q, where: x .>= 0)
        }

        /// The polynomial's coefficients below the leading one, highest degree first.
        static let tail: [Double] = [
            7.602245038466591e-07, -1.8952738826223517e-06, -1.970818619983571e-05, -2.4093023228322445e-05,
            0.00032122383815215053, 0.0023695657302566907, 0.009524129451908366, 0.02749365671471025,
            0.0618117606435728, 0.11188838571982583, 0.16512208960402958, 0.12151394835988466,
        ]
    }

    public struct Tanh: ElementwiseFunction {
        public init() {}
        public func callAsFunction(_ x: Float) -> Float { Self.gelu(x) }
        public func callAsFunction(_ x: Double) -> Double { Self.gelu(x) }
        public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) { Self.vector(x, y, n) }
        public func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) { Self.vector(x, y, n) }

        /// Rows as `x·σ(2u)`, `u = √(2/π)(x + 0.044715x³)` — the same function (½(1 + tanh u) = σ(2u)),
        /// without the cancellation of `1 + tanh` for negative x — with the vector exponential.
        @inline(__always)
        static func vector<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
            let a = T.Vector(repeating: T(2 * 0.797_884_560_802_865_4)), b = T.Vector(repeating: T(0.044715))
            mapGated(x, y, count: n) { v in a * (v + b * v * v * v) }
        }
        @inline(__always) static func gelu<T: KernelScalar>(_ x: T) -> T {
            if x == .infinity { return x }
            if x == -.infinity { return 0 }
            let inner = T(0.797_884_560_802_865_4) * (x + T(0.044715) * x * x * x)
            return x * (1 + T.scalarTanh(inner)) / 2
        }
    }

    public struct Sigmoid: ElementwiseFunction {
        public init() {}
        public func callAsFunction(_ x: Float) -> Float { x == -.infinity ? 0 : x * logistic(1.702 * x) }
        public func callAsFunction(_ x: Double) -> Double { x == -.infinity ? 0 : x * logistic(1.702 * x) }
        public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
            mapGated(x, y, count: n) { $0 * SIMD16(repeating: 1.702) }
        }
        public func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
            mapGated(x, y, count: n) { $0 * SIMD8(repeating: 1.702) }
        }
    }

    public struct SiLU: ElementwiseFunction {
        public init() {}
        public func callAsFunction(_ x: Float) -> Float { x == -.infinity ? 0 : x * logistic(x) }
        public func callAsFunction(_ x: Double) -> Double { x == -.infinity ? 0 : x * logistic(x) }
        public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) { mapGated(x, y, count: n) { $0 } }
        public func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) { mapGated(x, y, count: n) { $0 } }
    }
}

/// `y = x·σ(t(x)) = x / (1 + e^{−t(x)})` over a row with the vector exponential (≤ 1 ULP over its
/// whole domain): the sigmoid-gated activations. `x` is first raised to at least −10³⁰, which
/// changes no finite result but turns `−∞·σ(−∞) = NaN` into the limit 0; NaN stays NaN.
@inline(__always)
func mapGated<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int, _ t: (T.Vector) -> T.Vector) {
    let floor = T.Vector(repeating: -1e30), one = T.Vector(repeating: 1)
    rowMap(x, y, count: n, streaming: false, fill: 0) { v in
        let xc = T.maximum(v, floor)
        return xc / (one + T.exp(-t(xc)))
    }
}

/// `σ(t) = 1/(1 + e^{−t})`, without overflow warnings (e^{−t} = +∞ gives 0).
@inline(__always)
func logistic<T: KernelScalar>(_ t: T) -> T {
    1 / (1 + T.scalarExp(-t))
}
