/// The floating-point forms of I-BERT's polynomial approximations, for comparing the
/// polynomials themselves with the exact functions, apart from quantisation.
///
/// exp: `x = −z·ln2 + r`, `z = ⌊−x/ln2⌋`, `r ∈ (−ln2, 0]`, `eˣ ≈ L(r)·2^{−z}` with
/// `L(r) = 0.35815147r² + 0.96963238r + 1` (`code`, the default) or `0.3585(r + 1.353)² + 0.344`
/// (`paper`). GELU: `x·½(1 + L(x/√2))`, `L(u) = sign(u)·[a(min(|u|, −b) + b)² + 1]`,
/// `a = −0.2888`, `b = −1.769` (√2 exactly; the integer kernel's 1.4142 is its quantised form).
/// Measured worst errors (Float, `softmaxkit accuracy ibert-exp-poly-float ibert-gelu-poly-float`):
/// exp 3.3·10⁻³ relative on [−87, 0] (code coefficients; both sets < 5·10⁻³ on [−20, 0] in the
/// tests); GELU 1.8·10⁻² absolute on [−30, 30] (at x ≈ 2.35).
public enum IBertFloat {
    /// The exp polynomial's coefficients: the reference code's `a r² + b r + c` or the paper's rounded ones.
    public enum Coefficients: String, Sendable, CaseIterable { case code, paper }

    /// I-BERT's second-order exponential in floating point: `x = −z·ln 2 + r`, `exp x ≈ L(r)·2⁻ᶻ`.
    @inline(__always)
    public static func exp<T: KernelScalar>(_ x: T, coefficients: Coefficients = .code) -> T {
        if x.isNaN { return x }
        if x == -.infinity { return 0 }
        if x == .infinity { return .infinity }
        let ln2 = 0.693_147_180_559_945_3
        let xd = Double(x)
        let z = (-xd / ln2).rounded(.down)
        let r = xd + z * ln2
        let l: Double
        switch coefficients {
        case .code: l = (0.35815147 * r + 0.96963238) * r + 1
        case .paper: l = 0.3585 * (r + 1.353) * (r + 1.353) + 0.344
        }
        return T(l * Double.scalarExp2(-z))
    }

    /// I-BERT's GELU in floating point, `x·½(1 + L(x/√2))` with the polynomial erf `L`.
    @inline(__always)
    public static func gelu<T: KernelScalar>(_ x: T) -> T {
        if x.isNaN { return x }
        if x == .infinity { return x }
        if x == -.infinity { return 0 }
        let a = -0.2888, b = -1.769
        let xd = Double(x), u = xd / 2.0.squareRoot()
        let t = min(abs(u), -b) + b
        let l = (u < 0 ? -1.0 : u > 0 ? 1.0 : 0.0) * (a * t * t + 1)
        return T(xd * 0.5 * (1 + l))
    }
}
