import Foundation
import SoftmaxKit

@testable import SoftmaxModels

/// A tiny BERT written by the test itself — `config.json`, `model.safetensors` with seeded random
/// weights, `vocab.txt` — so that the encoder, its swaps, padding and LayerNorm are tested without
/// any download. 2 layers, hidden 20 (one 16-wide vector and a tail of 4: both paths of the
/// vector loops), 4 heads of 5, intermediate 24, 40 positions, 30 tokens.
struct TinyBertFolder {
    static let hidden = 20, heads = 4, layers = 2, intermediate = 24, positions = 40, vocab = 30

    let path: String
    /// Every tensor by its checkpoint name, as written (row-major, PyTorch's `[out, in]` for linears).
    let tensors: [String: (shape: [Int], values: [Float])]

    /// Writes the folder under a new temporary directory; `edit` may change the tensors first
    /// (to test the loader's errors).
    init(seed: UInt64 = 1, edit: (inout [String: (shape: [Int], values: [Float])]) -> Void = { _ in }) throws {
        path = NSTemporaryDirectory() + "tiny-bert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var g = SeededGenerator(seed: seed)
        var t: [String: (shape: [Int], values: [Float])] = [:]
        func add(_ name: String, _ shape: [Int], scale: Double, offset: Double = 0) {
            t[name] = (shape, (0..<shape.reduce(1, *)).map { _ in Float(offset + scale * g.normal()) })
        }
        let h = Self.hidden
        add("embeddings.word_embeddings.weight", [Self.vocab, h], scale: 1)
        add("embeddings.position_embeddings.weight", [Self.positions, h], scale: 0.3)
        add("embeddings.token_type_embeddings.weight", [2, h], scale: 0.3)
        add("embeddings.LayerNorm.weight", [h], scale: 0.1, offset: 1)
        add("embeddings.LayerNorm.bias", [h], scale: 0.1)
        for l in 0..<Self.layers {
            let p = "encoder.layer.\(l)."
            for (name, inputs, outputs) in [
                ("attention.self.query", h, h), ("attention.self.key", h, h), ("attention.self.value", h, h),
                ("attention.output.dense", h, h), ("intermediate.dense", h, Self.intermediate),
                ("output.dense", Self.intermediate, h),
            ] {
                add(p + name + ".weight", [outputs, inputs], scale: 1 / Double(inputs).squareRoot())
                add(p + name + ".bias", [outputs], scale: 0.1)
            }
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                add(p + norm + ".weight", [h], scale: 0.1, offset: 1)
                add(p + norm + ".bias", [h], scale: 0.1)
            }
        }
        edit(&t)
        tensors = t
        let config: [String: Any] = [
            "model_type": "bert", "vocab_size": Self.vocab, "hidden_size": h, "num_hidden_layers": Self.layers,
            "num_attention_heads": Self.heads, "intermediate_size": Self.intermediate, "hidden_act": "gelu",
            "max_position_embeddings": Self.positions, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path + "/config.json"))
        let words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (5..<Self.vocab).map { "w\($0)" }
        try words.joined(separator: "\n").appending("\n").write(toFile: path + "/vocab.txt", atomically: true, encoding: .utf8)
        try Self.writeSafeTensors(t, to: path + "/model.safetensors")
    }

    /// The safetensors format: an 8-byte little-endian header length, the JSON header, the data.
    static func writeSafeTensors(_ tensors: [String: (shape: [Int], values: [Float])], to path: String) throws {
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var data = [UInt8]()
        for name in tensors.keys.sorted() {
            let (shape, values) = tensors[name]!
            let start = data.count
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [start, data.count]]
        }
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes += $0 }
        try Data(bytes + json + data).write(to: URL(fileURLWithPath: path))
    }

    /// Deletes the folder (a temporary folder left behind is not a test failure).
    func remove() {
        do { try FileManager.default.removeItem(atPath: path) } catch { print("tiny BERT: could not remove \(path): \(error)") }
    }
}
