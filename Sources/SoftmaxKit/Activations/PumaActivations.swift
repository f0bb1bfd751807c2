/// PUMA's piecewise-polynomial GeLU and SiLU for secure inference, segments and
/// closedness exactly as in the code:
///
/// ```
/// GeLU:  x < −4: 0;   −4 ≤ x < −1.95: F0(x);   −1.95 ≤ x ≤ 3: F1(x);   x > 3: x
///   F0(x) = −0.011034134030615728x³ − 0.11807612951181953x² − 0.42226581151983866x − 0.5054031199708174
///   F1(x) = 0.0018067462606141187x⁶ − 0.037688200365904236x⁴ + 0.3603292692789629x² + 0.5x + 0.008526321541038084
/// SiLU:  x < −8: 0;   −8 ≤ x < −4: −0.0055465625580307x² − 0.0819767021525476x − 0.3067541139982155;
///        −4 ≤ x ≤ 4: 0.0002743776353465x⁶ − 0.011113046708173x⁴ + 0.2281430841728270x² + 0.5x + 0.0085064025895951;
///        x > 4: x
/// ```
/// The jumps at the segment ends are part of the definition (float64): GeLU jumps by 6.3·10⁻⁴
/// at −4 (F0(−4)), by 7.2·10⁻³ at −1.95 (F1 − F0) and by −1.6·10⁻² at 3 (F1(3) = 3.0159); its max
/// absolute error against the exact GELU is 2.0·10⁻² (over [−8, 8], next to x = 3). SiLU jumps by
/// −5.9·10⁻³ at −8, 5.3·10⁻³ at −4 and −6.2·10⁻² at 4; its max absolute error against the exact
/// SiLU is 7.2·10⁻² (next to x = 4). The code evaluates the pieces as a masked sum,
/// which gives NaN for ±∞; here the piecewise meaning holds (+∞ → +∞, −∞ → 0, NaN → NaN).
/// SiLU is in PUMA's LLaMA example code only, not in the paper.
///
/// Y. Dong et al., "PUMA: Secure Inference of LLaMA-7B in Five Minutes", 2023 (arXiv 2307.12533);
/// AntCPLab/puma_benchmarks; secretflow/spu `examples/python/ml/flax_llama7b`.
public enum Puma {
    /// PUMA's piecewise-polynomial GeLU.
    public struct GELU: ElementwiseFunction {
        /// The method with its defaults.
        public init() {}
        /// The function at `x`.
        public func callAsFunction(_ x: Float) -> Float { Float(Self.evaluate(Double(x))) }
        /// The function at `x`.
        public func callAsFunction(_ x: Double) -> Double { Self.evaluate(x) }

        /// The piecewise polynomial at `x`, in Double.
        public static func evaluate(_ x: Double) -> Double {
            if x.isNaN { return x }
            if x < -4 { return 0 }
            if x < -1.95 {
                return ((-0.011034134030615728 * x - 0.11807612951181953) * x - 0.42226581151983866) * x - 0.5054031199708174
            }
            if x <= 3 {
                let x2 = x * x
                return ((0.0018067462606141187 * x2 - 0.037688200365904236) * x2 + 0.3603292692789629) * x2 + 0.5 * x + 0.008526321541038084
            }
            return x
        }
    }

    /// PUMA's piecewise-polynomial SiLU (the LLaMA example).
    public struct SiLU: ElementwiseFunction {
        /// The method with its defaults.
        public init() {}
        /// The function at `x`.
        public func callAsFunction(_ x: Float) -> Float { Float(Self.evaluate(Double(x))) }
        /// The function at `x`.
        public func callAsFunction(_ x: Double) -> Double { Self.evaluate(x) }

        /// The piecewise polynomial at `x`, in Double.
        public static func evaluate(_ x: Double) -> Double {
            if x.isNaN { return x }
            if x < -8 { return 0 }
            if x < -4 { return (-0.0055465625580307 * x - 0.0819767021525476) * x - 0.3067541139982155 }
            if x <= 4 {
                let x2 = x * x
                return ((0.0002743776353465 * x2 - 0.011113046708173) * x2 + 0.2281430841728270) * x2 + 0.5 * x + 0.0085064025895951
            }
            return x
        }
    }
}
