/// The four exact ways to compute softmax, log-softmax and logsumexp over a row.
///
/// | case | passes over memory | exponentials per element |
/// |---|---|---|
/// | `threePassReload` | read x, read x + write y, read y + write y | 1 |
/// | `threePassRecompute` | read x, read x, read x + write y | 2 |
/// | `twoPass` | read x, read x + write y | 2 (extended) |
/// | `online` | read x, read x + write y | ≈ 2.25 |
///
/// All four agree with the float64 reference to the bounds stated on `ExactSoftmax`.
public enum SoftmaxAlgorithm: String, CaseIterable, Sendable, Codable {
    case threePassReload = "three-pass-reload"
    case threePassRecompute = "three-pass-recompute"
    case twoPass = "two-pass"
    case online = "online"

    /// Rows at least this long (elements) use `twoPass` by default: 2²⁴ floats = 64 MiB, twice
    /// the largest L3 we measured, where the re-reads of three-pass-reload come from memory.
    public static let twoPassRowThreshold = 1 << 24

    /// The algorithm `ExactSoftmax` uses when none is given: `threePassReload` (one exponential
    /// per element; its re-reads hit the cache) unless a row is longer than
    /// `twoPassRowThreshold`, where `twoPass` reads memory twice instead of three times.
    ///
    /// Measured (float32, one thread, AVX-512 machine, BENCHMARKS.md): three-pass-reload is the
    /// fastest at every size up to rows of 4 Mi elements (16 MiB, inside L3), e.g. 17.8 GB/s vs
    /// 9.1 for two-pass on 1024-element rows out of cache and 14.5 vs 12.1 on 4 Mi-element rows;
    /// at 16 Mi-element rows the two tie (11.6 GB/s): two-pass is bound by its two extended
    /// exponentials per element here, not by memory.
    public static func automatic(rows: Int, cols: Int) -> SoftmaxAlgorithm {
        cols >= twoPassRowThreshold ? .twoPass : .threePassReload
    }
}
