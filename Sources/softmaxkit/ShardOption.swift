import ArgumentParser
import SoftmaxLab

/// `--shard K/N` of the sweeping commands (`accuracy`, `model`, `lm sweep`): run the K-th of N
/// contiguous blocks of the rows and write `KIND-shard-K-of-N.json`, which `report` joins back in
/// order (`ShardSet`).
struct ShardOption {
    let index: Int
    let count: Int

    /// Parses `K/N` with 1 ≤ K ≤ N; nil when the option was not given.
    static func parse(_ text: String?) throws -> ShardOption? {
        guard let text else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let k = parts[0], let n = parts[1], n >= 1, (1...n).contains(k) else {
            throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, got '\(text)'")
        }
        return ShardOption(index: k, count: n)
    }

    /// This shard's block of `rows`; an empty block is announced through `note` (its file is still
    /// written, so that the set is complete for `report`).
    func block<T>(of rows: [T], note: (String) -> Void) -> [T] {
        let mine = Array(rows[ShardSet.block(index: index, count: count, total: rows.count)])
        if mine.isEmpty { note("note: shard \(index)/\(count) holds none of the \(rows.count) rows selected; writing an empty shard") }
        return mine
    }

    /// The results file name of this shard of `kind`.
    func fileName(_ kind: String) -> String { ShardSet.name(kind: kind, index: index, count: count) }
}
