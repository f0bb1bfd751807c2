import Foundation
import SoftmaxKit
import Testing

@testable import SoftmaxModels

/// The encoder on a tiny BERT the test writes itself (`TinyBertFolder`): no download, so these
/// always run. Against a readable float64 forward pass (`ReferenceBert`); padding; the swaps;
/// the strict loader.
@Suite final class TinyBertTests {
    let folder: TinyBertFolder
    let embedder: SentenceEmbedder
    let reference: ReferenceBert
    /// Three sequences of different lengths ([CLS] … [SEP]), one of a single token.
    let sequences = [[2, 7, 9, 11, 13, 3], [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 29, 3], [2]]

    init() throws {
        folder = try TinyBertFolder()
        embedder = try SentenceEmbedder.load(folder: folder.path)
        reference = ReferenceBert(
            tensors: folder.tensors, hidden: TinyBertFolder.hidden, heads: TinyBertFolder.heads,
            layers: TinyBertFolder.layers, epsilon: 1e-12)
    }

    deinit { folder.remove() }

    func hidden(_ sequences: [[Int]], swap: EncoderSwap = EncoderSwap(), threads: Int = 2) throws -> [[[Float]]] {
        let batch = BertEncoder.Batch(sequences)
        let out = try embedder.encoder.forward(batch, swap: swap, threads: threads)
        let h = TinyBertFolder.hidden
        return sequences.indices.map { b in
            (0..<sequences[b].count).map { i in Array(out[((b * batch.length + i) * h)..<((b * batch.length + i + 1) * h)]) }
        }
    }

    @Test func matchesTheFloat64Reference() throws {
        let got = try hidden(sequences)
        for (b, ids) in sequences.enumerated() {
            let expected = reference.forward(ids)
            var worst = 0.0
            for i in ids.indices { for k in 0..<TinyBertFolder.hidden { worst = max(worst, abs(Double(got[b][i][k]) - expected[i][k])) } }
            // LayerNorm keeps hidden values O(1): float32 through two layers stays within 10⁻⁵.
            #expect(worst <= 1e-5, "sequence \(b): worst |Δ| \(worst)")
        }
    }

    @Test func paddingAndThreadsChangeNothing() throws {
        let together = try hidden(sequences, threads: 2)
        for (b, ids) in sequences.enumerated() {
            let alone = try hidden([ids], threads: 1)[0]
            #expect(alone == together[b], "sequence \(b) alone vs padded in a batch")
        }
    }

    @Test func swapsApplyWhereTheySay() throws {
        let exact = try hidden(sequences)
        // The exact parts by id reproduce the built-in ones bit for bit.
        #expect(try hidden(sequences, swap: EncoderSwap.make(normalizer: "softmax", activation: "gelu", layerCount: 2)) == exact)
        // The exact attention engine in place of the built-in attention: the same within rounding.
        let engine = try hidden(sequences, swap: EncoderSwap.make(attention: "attention", layerCount: 2))
        for (a, e) in zip(engine.joined(), exact.joined()) { #expect(zip(a, e).allSatisfy { abs($0 - $1) <= 1e-5 }) }
        // A replacement changes the output; a one-token sequence's attention is the identity under
        // any normalizer, so it moves only by the rounding of the materialised path.
        let stable = try hidden(sequences, swap: EncoderSwap.make(normalizer: "stablemax", layers: "1", layerCount: 2))
        let moved = zip(stable[0].joined(), exact[0].joined()).map { abs($0 - $1) }.max()!
        #expect(moved > 1e-3, "StableMax in layer 1 moved sequence 0 by \(moved)")
        #expect(zip(stable[2].joined(), exact[2].joined()).allSatisfy { abs($0 - $1) <= 1e-5 })
        // In layer 1 only: layer 0's attention probabilities are the exact ones.
        var layer0: [Float] = [], layer0Exact: [Float] = []
        _ = try embedder.encoder.forward(
            BertEncoder.Batch([sequences[0]]), swap: EncoderSwap.make(normalizer: "stablemax", layers: "1", layerCount: 2),
            threads: 1
        ) { if $0.layer == 0 { layer0 += $0.weights } }
        _ = try embedder.encoder.forward(BertEncoder.Batch([sequences[0]]), threads: 1) { if $0.layer == 0 { layer0Exact += $0.weights } }
        #expect(!layer0.isEmpty && layer0 == layer0Exact)
        let tanh = try hidden(sequences, swap: EncoderSwap.make(activation: "gelu-tanh", layerCount: 2))
        let worst = zip(tanh.joined(), exact.joined()).flatMap { zip($0, $1).map { abs($0 - $1) } }.max()!
        #expect(worst > 0 && worst < 1e-2, "GELU tanh form: \(worst)")
        #expect(throws: ModelError.self) { try EncoderSwap.make(normalizer: "stablemax", layers: "2", layerCount: 2) }
        // A parameter no swapped method takes is refused, as `call` refuses it.
        #expect(throws: ModelError.self) { try EncoderSwap.make(normalizer: "softmax", parameters: ["bogus": .number(1)], layerCount: 2) }
        #expect(throws: ModelError.self) { try EncoderSwap.make(activation: "gelu-tanh", parameters: ["alpha": .number(1.5)], layerCount: 2) }
        _ = try EncoderSwap.make(normalizer: "entmax-bisect", activation: "gelu-tanh", parameters: ["alpha": .number(1.5)], layerCount: 2)
    }

    @Test func theLoaderIsStrict() throws {
        var mangled = try TinyBertFolder { $0["encoder.layer.1.output.dense.bias"] = (shape: [23], values: [Float](repeating: 0, count: 23)) }
        #expect(throws: SafeTensorsError.self) { try SentenceEmbedder.load(folder: mangled.path) }
        mangled.remove()
        mangled = try TinyBertFolder { $0["encoder.layer.9.extra.weight"] = (shape: [1], values: [0]) }
        #expect(throws: SafeTensorsError.unused(file: mangled.path + "/model.safetensors", keys: ["encoder.layer.9.extra.weight"])) {
            try SentenceEmbedder.load(folder: mangled.path)
        }
        mangled.remove()
        mangled = try TinyBertFolder { $0.removeValue(forKey: "embeddings.LayerNorm.bias") }
        #expect(throws: SafeTensorsError.missing(file: mangled.path + "/model.safetensors", key: "embeddings.LayerNorm.bias")) {
            try SentenceEmbedder.load(folder: mangled.path)
        }
        mangled.remove()
        // A count given as a fraction is named.
        mangled = try TinyBertFolder()
        let configPath = mangled.path + "/config.json"
        let config = try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(
            of: "\"num_hidden_layers\":2", with: "\"num_hidden_layers\":2.5")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        #expect(throws: ModelError.file(configPath, "field 'num_hidden_layers' is 2.5; a whole number is expected")) {
            try SentenceEmbedder.load(folder: mangled.path)
        }
        mangled.remove()
        // A NaN weight is refused, naming the tensor and the element, instead of NaN embeddings.
        mangled = try TinyBertFolder { $0["encoder.layer.1.intermediate.dense.weight"]?.values[7] = .nan }
        #expect(
            throws: SafeTensorsError.invalid(
                file: mangled.path + "/model.safetensors", key: "encoder.layer.1.intermediate.dense.weight", "element 7 is nan; weights must be finite")
        ) { try SentenceEmbedder.load(folder: mangled.path) }
        mangled.remove()
    }

    @Test func tooLongAndUnknownIdsAreErrors() throws {
        #expect(throws: ModelError.self) { try hidden([[Int](repeating: 5, count: TinyBertFolder.positions + 1)]) }
        #expect(throws: ModelError.self) { try hidden([[2, TinyBertFolder.vocab, 3]]) }
    }
}
