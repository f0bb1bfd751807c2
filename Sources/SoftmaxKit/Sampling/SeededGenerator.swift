#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, seeded generator, so every workload,
/// random projection and noisy sampler is reproducible from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in the open interval (0, 1): the top 53 bits, centred, so neither 0 nor 1
    /// ever comes out (safe under `log`).
    public mutating func openUniform() -> Double {
        (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992
    }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let v = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// A standard Gumbel draw, `−log(−log u)`.
    public mutating func gumbel() -> Double { -log(-log(openUniform())) }

    /// A Gamma(shape, 1) draw by Marsaglia and Tsang's squeeze method ("A Simple Method for
    /// Generating Gamma Variables", ACM TOMS 2000); shapes below 1 use `Gamma(a + 1)·U^{1/a}`.
    /// Shape 0 gives 0 (the degenerate distribution, as Dirichlet noise on a zero entry needs).
    public mutating func gamma(shape a: Double) -> Double {
        precondition(a >= 0 && a.isFinite, "Gamma shape must be finite and ≥ 0, got \(a)")
        if a == 0 { return 0 }
        if a < 1 { return gamma(shape: a + 1) * pow(openUniform(), 1 / a) }
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = openUniform()
            if u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }
}
