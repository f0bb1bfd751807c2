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

    /// The algorithm `ExactSoftmax` uses when none is given: `threePassReload` at every shape.
    /// It computes one exponential per element; where a row outgrows the caches its re-reads come
    /// from memory, and still cost less than two-pass's second (extended) exponential here.
    ///
    /// Three-pass-reload was the fastest at every size measured, rows far past the L3 included
    /// (BENCHMARKS.md, "Two-pass vs three-pass on rows larger than L2"): two-pass is bound by its
    /// two extended exponentials per element there, not by memory. Three-pass rows also split
    /// across threads (`SplitRows`); two-pass rows do not. (`rows` and `cols` are kept for rules
    /// that depend on the shape.) How the batch is then walked is `SoftmaxSchedule`'s choice.
    public static func automatic(rows: Int, cols: Int) -> SoftmaxAlgorithm {
        .threePassReload
    }
}
