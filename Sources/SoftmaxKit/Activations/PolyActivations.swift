/// Polynomial composition activations, order 3:
///
/// ```
/// PolyReLU(x) = a₃·ReLU(x)³ + a₂·ReLU(x)² + a₁·ReLU(x) + a₀
/// PolyNorm(x) = a₃·N(x³) + a₂·N(x²) + a₁·N(x) + a₀,   N(v) = v / √(mean_row(v²) + ε)
/// ```
/// `a = [a₃, a₂, a₁]` in the code's order, initialised to 1/3 each, `a₀ = 0` (`bias`), ε = 10⁻⁶.
/// N is an RMS norm without gain over the last axis (each row). These replace GELU in a network
/// trained with them; the lab reports their distance from GELU, not an error.
///
/// Z. Zhuo et al., "Polynomial Composition Activations: Unleashing the Dynamics of Large Language
/// Models", ICLR 2025 (arXiv 2411.03884); BryceZhuo/PolyCom.
public enum PolyComposition {
    /// PolyReLU: `a₃·ReLU(x)³ + a₂·ReLU(x)² + a₁·ReLU(x) + a₀`.
    public struct ReLU: ElementwiseFunction {
        public let a3: Double, a2: Double, a1: Double, bias: Double

        /// Weights `[a₃, a₂, a₁]` (the official code's order) and the bias `a₀`.
        public init(a: [Double] = [1.0 / 3, 1.0 / 3, 1.0 / 3], bias: Double = 0) {
            precondition(a.count == 3, "PolyReLU takes three weights [a3, a2, a1]")
            (a3, a2, a1, self.bias) = (a[0], a[1], a[2], bias)
        }

        /// The function at `x`.
        public func callAsFunction(_ x: Float) -> Float { evaluate(x) }
        /// The function at `x`.
        public func callAsFunction(_ x: Double) -> Double { evaluate(x) }

        @inline(__always) func evaluate<T: KernelScalar>(_ x: T) -> T {
            let r = x > 0 ? x : (x.isNaN ? x : 0)
            return ((T(a3) * r + T(a2)) * r + T(a1)) * r + T(bias)
        }
    }

    /// PolyNorm over rows (the last axis). Sums in Double.
    public struct Norm: Activation {
        public let a3: Double, a2: Double, a1: Double, bias: Double, epsilon: Double
        /// True: the activation depends on whole rows (its statistics), not on single elements.
        public var isRowWise: Bool { true }

        /// Weights `[a₃, a₂, a₁]`, the bias `a₀` and the RMS norm's ε.
        public init(a: [Double] = [1.0 / 3, 1.0 / 3, 1.0 / 3], bias: Double = 0, epsilon: Double = 1e-6) {
            precondition(a.count == 3 && epsilon >= 0, "PolyNorm takes three weights [a3, a2, a1] and ε ≥ 0")
            (a3, a2, a1, self.bias, self.epsilon) = (a[0], a[1], a[2], bias, epsilon)
        }

        /// Applies the activation row by row, as `Activation` defines it.
        public func activate(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, threads: Int?) throws {
            try run(x, y, threads)
        }

        /// Applies the activation row by row, as `Activation` defines it.
        public func activate(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, threads: Int?) throws {
            try run(x, y, threads)
        }

        private func run<T: KernelScalar>(_ x: RowBatch<T>, _ y: MutableRowBatch<T>, _ threads: Int?) throws {
            let me = self
            try mapRows(x, y, threads) { me.row($0, $1, count: $2) }
        }

        @inline(__always)
        func row<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
            guard n > 0 else { return }
            var s1 = 0.0, s2 = 0.0, s3 = 0.0
            for i in 0..<n {
                let v = Double(x[i]), v2 = v * v
                s1 += v2
                s2 += v2 * v2
                s3 += v2 * v2 * v2
            }
            let m = Double(n)
            let k1 = a1 / (s1 / m + epsilon).squareRoot()
            let k2 = a2 / (s2 / m + epsilon).squareRoot()
            let k3 = a3 / (s3 / m + epsilon).squareRoot()
            for i in 0..<n {
                let v = Double(x[i])
                y[i] = T(((k3 * v * v * v + k2 * v * v) + k1 * v) + bias)
            }
        }
    }
}
