/// Where a benchmark's working set lives, by input size (the output is as large again).
public enum CacheLevel: String, CaseIterable, Sendable, Codable {
    case l1 = "L1", l2 = "L2", l3 = "L3", memory = "memory"

    /// Input bytes per case: fits in L1 (32 KiB) / L2 (1 MiB) / L3 (32 MiB) with its output;
    /// ≥ 256 MiB for memory, far beyond any cache.
    public var inputBytes: Int {
        switch self {
        case .l1: 12 << 10
        case .l2: 384 << 10
        case .l3: 8 << 20
        case .memory: 256 << 20
        }
    }

    /// Rows of `cols` float32 elements at this level, or nil when one row does not fit.
    public func rows(cols: Int) -> Int? {
        let rows = inputBytes / 4 / cols
        return rows >= 1 ? rows : nil
    }
}
