import SoftmaxLab
import Testing

/// The encoder's swap sweep: every distribution normalizer, every activation, and every attention
/// engine that runs on Q, K and V alone.
@Suite struct ModelLabTests {
    @Test func theSweepListsNormalizersActivationsAndEngines() throws {
        let swaps = try ModelLab.sweepSwaps(layerCount: 6)
        let engines = Set(swaps.compactMap(\.attention).map(\.id))
        #expect(engines.isSuperset(of: ["bivit-sab-attention", "sigmoid-attention", "edge-moe-attention", "nystrom-attention"]))
        #expect(!engines.contains("attention") && !engines.contains("performer-attention"), "the baseline and engines needing projections are left out")
        #expect(swaps.contains { $0.normalizer?.id == "bivit-sab" } && swaps.contains { $0.activation?.id == "puma-gelu" })
        #expect(!swaps.contains { $0.normalizer?.id == "softmax" })
    }
}
