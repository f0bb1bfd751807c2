import SoftmaxKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Orthogonal random features for FAVOR+ (Performer, Scatterbrain): `⌈r/d⌉` independent blocks,
/// each the orthonormal rows of a d × d standard Gaussian matrix (Gram–Schmidt, equivalent to Qᵀ
/// of its QR decomposition up to signs), stacked and cut to r rows; each row rescaled to the norm
/// of an independent N(0, I_d) vector (`ortho_scaling = 0`), so rows are marginally N(0, I_d).
/// Seeded, so every result is reproducible.
public enum OrthogonalFeatures {
    /// A seeded draw of `r` orthogonal random features of dimension `d`, row-major `[r, d]`.
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

    /// Box–Muller over the generator's open-interval uniforms.
    struct Gaussian {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(seed: state) }
        mutating func next() -> Double {
            let u = generator.openUniform(), v = generator.openUniform()
            return (-2 * Double.scalarLog(u)).squareRoot() * cos(2 * .pi * v)
        }
    }
}
