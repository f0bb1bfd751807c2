import Foundation
import Testing

@testable import SoftmaxModels

/// The safetensors reader: values of every float dtype, and an error naming the file and the
/// key for each kind of corruption.
@Suite struct SafeTensorsTests {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "safetensors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// A file from a header object and a data buffer.
    func write(_ name: String, header: [String: Any], data: [UInt8], lengthOverride: UInt64? = nil, rawHeader: String? = nil) throws -> String {
        let json = try rawHeader.map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var bytes = [UInt8]()
        let n = lengthOverride ?? UInt64(json.count)
        for k in 0..<8 { bytes.append(UInt8((n >> (8 * UInt64(k))) & 0xFF)) }
        bytes += json
        bytes += data
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    @Test func readsEveryFloatDType() throws {
        let f32: [Float] = [1.5, -2, 0.1]
        let f16: [Float16] = [0.5, -3, 65504]
        let bf16: [UInt16] = [0x3F80, 0xC040, 0x7F80]  // 1, −3, +∞
        var data = f32.flatMap { le($0.bitPattern) }
        data += f16.flatMap { le($0.bitPattern) }
        data += bf16.flatMap { le($0) }
        data += le(Int64(7)) + le(Int64(-1))
        let path = try write(
            "ok.safetensors",
            header: [
                "__metadata__": ["format": "pt"],
                "a": ["dtype": "F32", "shape": [3], "data_offsets": [0, 12]],
                "b": ["dtype": "F16", "shape": [1, 3], "data_offsets": [12, 18]],
                "c": ["dtype": "BF16", "shape": [3], "data_offsets": [18, 24]],
                "d": ["dtype": "I64", "shape": [2], "data_offsets": [24, 40]],
            ], data: data)
        let file = try SafeTensorsFile(path: path)
        #expect(file.header.metadata == ["format": "pt"] && file.names == ["a", "b", "c", "d"])
        #expect(try file.floats("a", shape: [3]) == f32)
        #expect(try file.floats("b", shape: [1, 3]) == [0.5, -3, 65504])
        #expect(try file.floats("c", shape: [3]) == [1, -3, .infinity])
        #expect(try file.integers("d", shape: [2]) == [7, -1])
        #expect(throws: SafeTensorsError.shape(file: path, key: "a", expected: [1, 3], actual: [3])) { try file.floats("a", shape: [1, 3]) }
        #expect(throws: SafeTensorsError.missing(file: path, key: "z")) { try file.floats("z", shape: [1]) }
        #expect(throws: SafeTensorsError.self) { try file.floats("d", shape: [2]) }
    }

    @Test func corruptionIsReportedByFileAndKey() throws {
        let good: [String: Any] = ["w": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]]]
        let cases: [(String, () throws -> String, String)] = [
            ("short", { try self.write("short.st", header: [:], data: [], rawHeader: "") }, "header"),
            (
                "length past end", { try self.write("long.st", header: good, data: [UInt8](repeating: 0, count: 8), lengthOverride: 1 << 20) },
                "runs past the end"
            ),
            ("not json", { try self.write("json.st", header: [:], data: [], rawHeader: "{not json") }, "not valid JSON"),
            ("not object", { try self.write("array.st", header: [:], data: [], rawHeader: "[1, 2]") }, "not an object"),
            (
                "dtype", { try self.write("dtype.st", header: ["w": ["dtype": "F8", "shape": [2], "data_offsets": [0, 2]]], data: [0, 0]) },
                "tensor 'w': unsupported dtype 'F8'"
            ),
            (
                "size",
                { try self.write("size.st", header: ["w": ["dtype": "F32", "shape": [3], "data_offsets": [0, 8]]], data: [UInt8](repeating: 0, count: 8)) },
                "needs 12 bytes"
            ),
            (
                "bounds",
                {
                    try self.write("bounds.st", header: ["w": ["dtype": "F32", "shape": [2], "data_offsets": [4, 12]]], data: [UInt8](repeating: 0, count: 8))
                }, "outside"
            ),
            (
                "overlap",
                {
                    try self.write(
                        "overlap.st",
                        header: [
                            "w": ["dtype": "F32", "shape": [2], "data_offsets": [0, 8]],
                            "v": ["dtype": "F32", "shape": [1], "data_offsets": [4, 8]],
                        ], data: [UInt8](repeating: 0, count: 8))
                }, "overlap"
            ),
            ("negative", { try self.write("neg.st", header: ["w": ["dtype": "F32", "shape": [-1], "data_offsets": [0, 0]]], data: []) }, "non-negative"),
            ("offsets", { try self.write("off.st", header: ["w": ["dtype": "F32", "shape": [1], "data_offsets": [0]]], data: [0, 0, 0, 0]) }, "data_offsets"),
            (
                "huge shape",
                { try self.write("huge.st", header: ["w": ["dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 4]]], data: [0, 0, 0, 0]) },
                "more elements"
            ),
        ]
        for (what, make, fragment) in cases {
            let path = try make()
            do {
                _ = try SafeTensorsFile(path: path)
                Issue.record("\(what): no error")
            } catch let e as SafeTensorsError {
                #expect(e.description.contains(path) && e.description.contains(fragment), "\(what): \(e)")
            }
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFile(path: folder + "/missing.safetensors") }
    }

    @Test(.enabled(if: ModelFolder.hasModel, "\(ModelFolder.skipReason)")) func strictLoadingOfTheRealModel() throws {
        let config = try BertConfig.load(folder: ModelFolder.minilm)
        #expect(config.hiddenSize == 384 && config.numHiddenLayers == 6 && config.headSize == 32)
        let file = try SafeTensorsFile(path: ModelFolder.minilm + "/model.safetensors")
        let weights = try BertWeights.load(file, config: config)
        #expect(weights.unused == ["pooler.dense.weight", "pooler.dense.bias"] && weights.layers.count == 6)
        // A config that disagrees with the tensors: the error names the tensor and both shapes.
        var wrong = config
        wrong.intermediateSize = 1024
        #expect(throws: SafeTensorsError.shape(file: file.path, key: "encoder.layer.0.intermediate.dense.weight", expected: [1024, 384], actual: [1536, 384])) {
            try BertWeights.load(file, config: wrong)
        }
        var fewer = config
        fewer.numHiddenLayers = 5
        do {
            _ = try BertWeights.load(file, config: fewer)
            Issue.record("unused layer-5 tensors were not reported")
        } catch let SafeTensorsError.unused(_, keys) {
            #expect(keys.count == 16 && keys.allSatisfy { $0.hasPrefix("encoder.layer.5.") })
        }
    }

    @Test func configErrors() throws {
        let dir = folder + "/config"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let base: [String: Any] = [
            "model_type": "bert", "vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3,
            "intermediate_size": 16, "hidden_act": "gelu", "max_position_embeddings": 16, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
        ]
        try JSONSerialization.data(withJSONObject: base).write(to: URL(fileURLWithPath: dir + "/config.json"))
        #expect(throws: ModelError.self) { try BertConfig.load(folder: dir) }  // 8 is not a multiple of 3
        var missing = base
        missing["num_attention_heads"] = nil
        try JSONSerialization.data(withJSONObject: missing).write(to: URL(fileURLWithPath: dir + "/config.json"))
        do {
            _ = try BertConfig.load(folder: dir)
            Issue.record("no error")
        } catch let e as ModelError {
            #expect(e.description.contains("num_attention_heads"))
        }
    }
}
