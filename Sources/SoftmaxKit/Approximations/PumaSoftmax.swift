/// PUMA's softmax for secure inference: the maximum is exact (secure comparisons), the
/// exponential is the limit form `exp_t(d) = (1 + d/2ᵗ)^(2ᵗ)` (SPU's `exp_taylor`, t = 5 in
/// every PUMA configuration), and arguments at or below a clip are dropped:
///
/// ```
/// dᵢ = xᵢ − max x;   eᵢ = exp_t(dᵢ) if dᵢ > clip (strict) else 0;   y = e / Σe
/// ```
/// The clip (−14 by default) keeps `d > −2ᵗ`, where `1 + d/2ᵗ > 0`. The maximum element has
/// `e = 1`, so the denominator is ≥ 1. SPU computes in fixed-point ring arithmetic; this is the
/// real-number definition in the working precision. `exp_mode = exact` uses `eᵈ` with the same
/// clip (isolating the clip's error from the exponential's).
///
/// Measured in Float over the lab's workloads (Gaussian σ = 0.5 … 30, attention-shaped, masked;
/// rows of 16 … 49152): max total variation 0.16 from softmax (σ = 3 rows), relative error up to
/// 100% on small outputs (those below the clip become 0, and exp₅ underestimates eˣ by 70% at −8).
///
/// Y. Dong et al., "PUMA: Secure Inference of LLaMA-7B in Five Minutes", 2023 (arXiv 2307.12533);
/// secretflow/spu `src/libspu/kernel/hal/fxp_approx.cc`.
///
/// Runs on the vector three-pass kernel of the cheap exponentials (`ApproximateExpSoftmaxKernel`)
/// with a clipped `LimitExponential` (or `KernelExponential` for `exact`).
public struct PumaSoftmaxKernel: RowKernel {
    /// t: squarings of the limit-form exponential.
    public let iterations: Int
    /// Entries with `x − max ≤ clip` give 0.
    public let clip: Double
    /// Whether `e^d` replaces the limit form (the clip kept).
    public let exactExponential: Bool
    let kernel: ApproximateExpSoftmaxKernel

    /// - Precondition: `iterations` in 0…30, `clip` ≤ 0 (not NaN).
    public init(iterations: Int = 5, clip: Double = -14, exactExponential: Bool = false) {
        precondition((0...30).contains(iterations) && clip <= 0, "PumaSoftmaxKernel: bad iterations \(iterations) or clip \(clip)")
        self.iterations = iterations
        self.clip = clip
        self.exactExponential = exactExponential
        kernel = ApproximateExpSoftmaxKernel(limitIterations: iterations, clip: clip, exact: exactExponential)
    }

    /// True: the method applies the edge contract to ±∞ and NaN rows itself.
    public var handlesSpecialRows: Bool { true }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        kernel.apply(x, y, count: n, scratch: scratch)
    }

    /// Normalizes one row, as `Normalizer.apply(_:_:count:scratch:)` defines it.
    public func apply(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int, scratch: UnsafeMutablePointer<Double>) {
        kernel.apply(x, y, count: n, scratch: scratch)
    }
}

/// PUMA/SPU's `exp_taylor`: `exp_t(x) = (1 + x/2ᵗ)^(2ᵗ)`, as `1 + x·2⁻ᵗ` then `t` squarings —
/// the literal formula on every input (for `x < −2ᵗ` the result is the even power of a
/// negative base, which SPU computes the same way; `−∞ → +∞`, `+∞ → +∞`, NaN → NaN).
public enum PumaExponential {
    /// `(1 + x/2ᵗ)^(2ᵗ)` for `t` = `iterations`.
    @inline(__always)
    public static func evaluate<T: BinaryFloatingPoint>(_ x: T, iterations t: Int) -> T {
        var y = 1 + x / T(1 << t)
        for _ in 0..<t { y *= y }
        return y
    }
}
