#if canImport(Glibc)
import Glibc
#endif
import SoftmaxKit

/// Orthogonal random features for FAVOR+ (Performer, Scatterbrain): `⌈r/d⌉` independent blocks,
/// each the orthonormal rows of a d × d standard Gaussian matrix (Gram–Schmidt, equivalent to Qᵀ
/// of its QR decomposition up to signs), stacked and cut to r rows; each row rescaled to the norm
/// of an independent N(0, I_d) vector (`ortho_scaling = 0`), so rows are marginally N(0, I_d).
/// Seeded, so every result is reproducible.
public enum OrthogonalFeatures {
    public static func draw(features r: Int, dim d: Int, seed: UInt64) -> [Double] {
        var g = Gaussian(state: seed)
        var rows: [[Double]] = []
        while rows.count < r {
            var block: [[Double]] = []
            while block.count < d {
                var v = (0..<d).map { _ in g.next() }
                for b in block {
                    let dot = zip(v, b).map(*).reduce(0, +)
                    for p in 0..<d { v[p] -= dot * b[p] }
                }
                let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
                guard norm > 1e-8 else { continue }
                block.append(v.map { $0 / norm })
            }
            rows += block
        }
        return rows.prefix(r).flatMap { row -> [Double] in
            let length = (0..<d).map { _ in g.next() }.map { $0 * $0 }.reduce(0, +).squareRoot()
            return row.map { $0 * length }
        }
    }

    /// SplitMix64 + Box–Muller.
    struct Gaussian {
        var state: UInt64
        mutating func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
        }
        mutating func next() -> Double {
            let u = uniform(), v = uniform()
            return (-2 * Double.scalarLog(u)).squareRoot() * cos(2 * .pi * v)
        }
    }
}
