import Testing

@testable import SoftmaxLab

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

    func row(_ swap: String, cosine: Double?) -> ModelEvaluation.Row {
        ModelEvaluation.Row(
            swap: swap, scores: .init(lee: 0.6, wordSim: 0.7, simLex: 0.4, polarity: 0.7),
            drift: cosine.map { .init(meanCosine: $0, worstCosine: $0, neighbourOverlap: 1) }, seconds: 1)
    }

    @Test func perLayerRowsDrawOneCurveOfOneMinusTheMeanCosine() throws {
        let rows = [row("exact", cosine: nil)] + (0..<6).map { row("normalizer=puma-softmax layers=\($0)", cosine: 1 - 1e-4 * Double($0 + 1)) }
        let plot = try #require(ModelLab.layerPlot(ModelLab.Results(model: "models/all-MiniLM-L6-v2", texts: 10, rows: rows)))
        #expect(plot.contains("normalizer=puma-softmax") && plot.contains("1 − mean cosine"))
        #expect(plot.components(separatedBy: "<circle").count - 1 == 6 + 1, "six points and the legend's marker")
        // Whole-model swaps and the merged shards of a sweep draw no curve.
        let whole = ModelLab.Results(model: "m", texts: 10, rows: [row("exact", cosine: nil), row("normalizer=stablemax", cosine: 0.9)])
        #expect(ModelLab.layerPlot(whole) == nil)
    }
}
