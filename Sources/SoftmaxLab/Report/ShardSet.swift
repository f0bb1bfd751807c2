/// The results files the lab writes into a folder, by name: `accuracy.json`, `attention.json`,
/// `model.json`, `lm.json`, `lm-layers.json`, and the shards of a split run,
/// `KIND-shard-K-of-N.json` (`softmaxkit accuracy --shard K/N`, `model --shard K/N`,
/// `lm sweep --shard K/N`). Shard K of N holds the K-th of N contiguous blocks of the unsplit run's
/// rows, so the shards joined in order are that run's rows in its order. `report` merges them and
/// refuses a set with a shard missing, so a report never silently leaves rows out.
public enum ShardSet {
    /// The kinds of results that split into shards, longest name first (for parsing).
    public static let kinds = ["lm-layers", "accuracy", "model", "lm"]

    /// `(kind, K, N)` of a shard's file name, or nil for any other name.
    public static func shard(_ name: String) -> (kind: String, index: Int, count: Int)? {
        guard name.hasSuffix(".json") else { return nil }
        for kind in kinds where name.hasPrefix(kind + "-shard-") {
            let middle = name.dropFirst(kind.count + "-shard-".count).dropLast(".json".count)
            let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1] == "of", let k = Int(parts[0]), let n = Int(parts[2]), n >= 1, (1...n).contains(k) else { return nil }
            return (kind, k, n)
        }
        return nil
    }

    /// The file name of shard `index` of `count` of `kind`.
    public static func name(kind: String, index: Int, count: Int) -> String { "\(kind)-shard-\(index)-of-\(count).json" }

    /// The rows of shard `index` (1-based) of `count` among `total` rows: the `index`-th of `count`
    /// contiguous blocks whose sizes differ by at most one.
    public static func block(index: Int, count: Int, total: Int) -> Range<Int> {
        precondition(count >= 1 && (1...count).contains(index) && total >= 0, "shard \(index) of \(count)")
        return (index - 1) * total / count..<index * total / count
    }

    /// Whether `name` is a file the lab writes (it must then read as results).
    public static func isResultsName(_ name: String) -> Bool {
        ["accuracy.json", "attention.json", "model.json", "grokking.json", "gns.json", "lm.json", "lm-layers.json"].contains(name) || shard(name) != nil
    }

    /// What keeps the shards among `names` from being complete splits, per kind: the missing
    /// shard files, and shards of splits into different counts.
    public static func problems(in names: [String]) -> [String] {
        let shards = names.compactMap(shard)
        var problems: [String] = []
        for kind in kinds {
            let mine = shards.filter { $0.kind == kind }
            let counts = Set(mine.map(\.count))
            if counts.count > 1 {
                problems.append(
                    "\(kind) shards of different splits (\(counts.sorted().map { "of \($0)" }.joined(separator: ", "))): keep one split per folder")
                continue
            }
            guard let n = counts.first else { continue }
            let present = Set(mine.map(\.index))
            problems += (1...n).filter { !present.contains($0) }.map { "\(name(kind: kind, index: $0, count: n)) is missing" }
        }
        return problems
    }

    /// `names` with every kind's shards in shard order (K = 1, 2, …, 10, … rather than by text).
    public static func ordered(_ names: [String]) -> [String] {
        names.sorted { a, b in
            switch (shard(a), shard(b)) {
            case let (x?, y?) where x.kind == y.kind: x.index < y.index
            default: a < b
            }
        }
    }
}
