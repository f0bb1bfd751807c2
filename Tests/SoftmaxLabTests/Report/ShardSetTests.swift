import SoftmaxLab
import Testing

/// The shard names `accuracy --shard K/N` writes, and what makes a set incomplete.
@Suite struct ShardSetTests {
    @Test func shardNamesAreParsed() {
        #expect(ShardSet.shard("accuracy-shard-2-of-5.json")! == (2, 5))
        for name in ["accuracy.json", "accuracy-shard-6-of-5.json", "accuracy-shard-0-of-5.json", "accuracy-shard-x-of-5.json", "accuracy-shard-1-of-2.txt"] {
            #expect(ShardSet.shard(name) == nil, "\(name)")
        }
        #expect(ShardSet.isResultsName("attention.json") && !ShardSet.isResultsName("other.json"))
    }

    @Test func aCompleteSetHasNoProblems() {
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-2.json", "accuracy-shard-2-of-2.json", "model.json"]).isEmpty)
        #expect(ShardSet.problems(in: ["accuracy.json"]).isEmpty)
    }

    @Test func missingShardsAndMixedSplitsAreNamed() {
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-3.json"]) == ["accuracy-shard-2-of-3.json is missing", "accuracy-shard-3-of-3.json is missing"])
        #expect(ShardSet.problems(in: ["accuracy-shard-1-of-2.json", "accuracy-shard-1-of-3.json"]).first?.contains("different splits") == true)
    }
}
