import SoftmaxLab
import Testing

/// The shard names `accuracy`, `model` and `lm sweep --shard K/N` write, their blocks, and what
/// makes a set incomplete.
@Suite struct ShardSetTests {
    @Test func shardNamesAreParsed() throws {
        for (name, kind, k, n) in [
            ("accuracy-shard-2-of-5.json", "accuracy", 2, 5), ("model-shard-1-of-1.json", "model", 1, 1), ("lm-shard-3-of-4.json", "lm", 3, 4),
            ("lm-layers-shard-10-of-12.json", "lm-layers", 10, 12),
        ] {
            let parsed = try #require(ShardSet.shard(name), "\(name)")
            #expect(parsed.kind == kind && parsed.index == k && parsed.count == n, "\(name)")
            #expect(ShardSet.name(kind: kind, index: k, count: n) == name)
        }
        for name in [
            "accuracy.json", "accuracy-shard-6-of-5.json", "accuracy-shard-0-of-5.json", "accuracy-shard-x-of-5.json", "accuracy-shard-1-of-2.txt",
            "other-shard-1-of-2.json",
        ] {
            #expect(ShardSet.shard(name) == nil, "\(name)")
        }
        #expect(ShardSet.isResultsName("attention.json") && ShardSet.isResultsName("lm-layers.json") && !ShardSet.isResultsName("other.json"))
    }

    @Test func blocksCoverTheRowsOnceInOrderAndDifferByAtMostOne() {
        for total in [0, 1, 5, 39, 100] {
            for count in [1, 2, 3, 7, 40] {
                let blocks = (1...count).map { ShardSet.block(index: $0, count: count, total: total) }
                #expect(blocks.flatMap { Array($0) } == Array(0..<total), "\(total) rows in \(count)")
                let sizes = blocks.map(\.count)
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "\(total) rows in \(count): \(sizes)")
            }
        }
    }

    @Test func shardsAreOrderedByNumberNotByText() {
        let names = ["lm-shard-10-of-11.json", "lm-shard-2-of-11.json", "accuracy.json", "lm-shard-1-of-11.json"]
        let ordered = ShardSet.ordered(names).filter { $0.hasPrefix("lm-") }
        #expect(ordered == ["lm-shard-1-of-11.json", "lm-shard-2-of-11.json", "lm-shard-10-of-11.json"])
    }

    @Test func aCompleteSetHasNoProblems() {
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-2.json", "accuracy-shard-2-of-2.json", "model.json"]).isEmpty)
        #expect(ShardSet.problems(in: ["accuracy.json", "model-shard-1-of-1.json", "lm-shard-2-of-2.json", "lm-shard-1-of-2.json"]).isEmpty)
    }

    @Test func missingShardsAndMixedSplitsAreNamedPerKind() {
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-3.json"]) == ["accuracy-shard-2-of-3.json is missing", "accuracy-shard-3-of-3.json is missing"])
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-2.json", "accuracy-shard-1-of-3.json"]).first?.contains("different splits") == true)
        #expect(
            ShardSet.problems(in: ["model-shard-2-of-2.json", "lm-layers-shard-1-of-2.json"]) == [
                "lm-layers-shard-2-of-2.json is missing", "model-shard-1-of-2.json is missing",
            ])
    }
}
