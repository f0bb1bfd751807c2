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

    /// Rows at least this long (elements) use `twoPass` by default: their second and third reads
    /// would come from memory, not cache. 2 MiB of Float (the L2 of the machines we measured).
    public static let twoPassRowThreshold = 1 << 19

    /// The algorithm `ExactSoftmax` uses when none is given: `threePassReload` while a row fits in
    /// L2 (its re-reads then cost no memory traffic and it needs one exponential per element),
    /// `twoPass` for longer rows (two reads instead of three). See BENCHMARKS.md for the figures
    /// behind the rule.
    public static func automatic(rows: Int, cols: Int) -> SoftmaxAlgorithm {
        cols >= twoPassRowThreshold ? .twoPass : .threePassReload
    }
}
