import Foundation
import SoftmaxModels
import Testing

/// Where the fetched model and evaluation data live (`scripts/fetch-models.sh`), or nil with the
/// reason tests that need them are skipped.
enum ModelFolder {
    static let root: String = {
        if let dir = ProcessInfo.processInfo.environment["SOFTMAXKIT_MODELS"] { return dir }
        // Tests/SoftmaxModelsTests/ModelFolder.swift → the package root.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models").path
    }()

    static var minilm: String { root + "/all-MiniLM-L6-v2" }
    static var eval: String { root + "/eval" }

    /// SmolLM2-135M-Instruct, the decoder the LM tests use.
    static var decoder: String { root + "/SmolLM2-135M-Instruct/SmolLM2-135M-Instruct.Q4_1.gguf" }
    static var hasDecoder: Bool { FileManager.default.fileExists(atPath: decoder) }
    static let decoderSkipReason: Comment = "SmolLM2 is not fetched (run scripts/fetch-models.sh)"

    static var hasModel: Bool { FileManager.default.fileExists(atPath: minilm + "/model.safetensors") }
    static var hasEval: Bool { FileManager.default.fileExists(atPath: eval + "/lee.cor") }

    /// The model, loaded once for every test that needs it.
    static let shared = Result { try SentenceEmbedder.load(folder: minilm) }
    static func embedder() throws -> SentenceEmbedder { try shared.get() }

    static let skipReason = "the MiniLM model is not fetched (run scripts/fetch-models.sh)"

    /// `../shared`-style reference data shipped with the tests.
    static func reference() throws -> [String: Any] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/minilm-reference.json")
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }
}
