/// Edge-MoE's table GELU, from the exact identity `GELU(x) = ReLU(x) − δ(|x|)`,
/// `δ(t) = t·Φ(−t)` (the same δ for ±x):
///
/// ```
/// table: δₖ = rne(2²²·tₖ·Φ(−tₖ))/2²²,  tₖ = k/32,  k = 0…176     (22 fractional bits; δ₁₇₆ = 0)
/// |x| ≥ 5.5:  ReLU(x)
/// else:       u = 32|x|, i = ⌊u⌋, f = u − i;   GELU(x) ≈ ReLU(x) − (δᵢ + f·(δᵢ₊₁ − δᵢ))
/// ```
/// Max absolute error against the exact GELU ≈ 1·10⁻⁴ over [−8, 8] (the paper's claim; measured
/// and enforced in the tests). NaN → NaN, +∞ → +∞, −∞ → 0. The table is built from the formula
/// (it reproduces every value in the HLS code).
///
/// R. Sarkar et al., Edge-MoE, ICCAD 2023 (arXiv 2305.18691); sharc-lab/Edge-MoE `src/gelu.cpp`.
public struct EdgeMoEGELU: ElementwiseFunction {
    /// Table spacing and end: `tₖ = k·step`, `|x| ≥ xMax` is linear.
    public static let step = 1.0 / 32, xMax = 5.5

    /// The 177 quantised `δₖ`.
    public static let table: [Double] = (0...176).map { k in
        let t = Double(k) / 32
        let delta = t * Double.scalarErfc(t * 0.707_106_781_186_547_5) / 2
        return (delta * 4_194_304).rounded(.toNearestOrEven) / 4_194_304
    }

    let delta: [Double]
    let deltaFloat: [Float]

    /// The method with its defaults.
    public init() {
        delta = Self.table
        deltaFloat = Self.table.map { Float($0) }
    }

    /// The function at `x`.
    public func callAsFunction(_ x: Float) -> Float { deltaFloat.withUnsafeBufferPointer { Self.evaluate(x, $0) { Int($0) } } }
    /// The function at `x`.
    public func callAsFunction(_ x: Double) -> Double { delta.withUnsafeBufferPointer { Self.evaluate(x, $0) { Int($0) } } }

    /// `y[i] = f(x[i])` for `n` elements, vectorized.
    public func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        deltaFloat.withUnsafeBufferPointer { d in for i in 0..<n { y[i] = Self.evaluate(x[i], d) { Int($0) } } }
    }

    /// `y[i] = f(x[i])` for `n` elements, vectorized.
    public func map(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        delta.withUnsafeBufferPointer { d in for i in 0..<n { y[i] = Self.evaluate(x[i], d) { Int($0) } } }
    }

    /// `truncate` is `Int.init` of the concrete type (the generic conversion is a slow library call).
    @inline(__always)
    static func evaluate<T: KernelScalar>(_ x: T, _ d: UnsafeBufferPointer<T>, truncate: (T) -> Int) -> T {
        if x.isNaN { return x }
        let relu = x > 0 ? x : 0
        let a = abs(x)
        if a >= 5.5 { return relu }
        let u = a * 32
        let i = truncate(u)
        let f = u - T(i)  // i = ⌊u⌋ (u ≥ 0): the fraction, exact, without a rounding call per element
        return relu - (d[i] + f * (d[i + 1] - d[i]))
    }
}
