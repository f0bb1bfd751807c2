/// The results files the lab writes into a folder, by name: `accuracy.json`, `attention.json` and
/// the shards of a split run, `accuracy-shard-K-of-N.json` (`softmaxkit accuracy --shard K/N`).
/// `report` merges them and refuses a set with a shard missing, so a report never silently leaves
/// methods out.
public enum ShardSet {
    /// `(K, N)` of a shard's file name, or nil for any other name.
    public static func shard(_ name: String) -> (index: Int, count: Int)? {
        guard name.hasPrefix("accuracy-shard-"), name.hasSuffix(".json") else { return nil }
        let middle = name.dropFirst("accuracy-shard-".count).dropLast(".json".count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "of", let k = Int(parts[0]), let n = Int(parts[2]), n >= 1, (1...n).contains(k) else { return nil }
        return (k, n)
    }

    /// Whether `name` is a file the lab writes (it must then read as results).
    public static func isResultsName(_ name: String) -> Bool {
        name == "accuracy.json" || name == "attention.json" || shard(name) != nil
    }

    /// What keeps the shards among `names` from being one complete split: the missing shard
    /// files, and shards of splits into different counts.
    public static func problems(in names: [String]) -> [String] {
        let shards = names.compactMap(shard)
        let counts = Set(shards.map(\.count))
        if counts.count > 1 {
            return ["shards of different splits (\(counts.sorted().map { "of \($0)" }.joined(separator: ", "))): keep one split per folder"]
        }
        guard let n = counts.first else { return [] }
        let present = Set(shards.map(\.index))
        return (1...n).filter { !present.contains($0) }.map { "accuracy-shard-\($0)-of-\(n).json is missing" }
    }
}
