import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit bench --method attention --seq N ...`: an attention engine's time on random
/// Q, K, V, as seconds and GFLOP/s counting 4·N²·D·H·B flops (the exact algorithm's count, whatever
/// the engine does — so cheaper engines show their speed-up; causal runs count the same).
enum AttentionBench {
    struct Result: Encodable {
        let id: String
        let batch, heads, kvHeads, seq, headDim, threads: Int
        let causal: Bool
        let seconds, gflops: Double

        enum CodingKeys: String, CodingKey {
            case id, batch, heads, kvHeads = "kv_heads", seq, headDim = "head_dim", threads, causal, seconds, gflops
        }
    }

    static func run(id: String, parameters: [String: ParameterValue], shape: AttentionShape, causal: Bool, threads: Int, repeats: Int) throws -> Result {
        guard id == "attention" else {
            throw ValidationErrorMessage("bench --seq times attention engines; '\(id)' is not one (engines: attention)")
        }
        let method = try MethodRegistry.complete.method(id)
        let p = try method.resolve(parameters)
        var g = SeededGenerator(seed: 11)
        let q = (0..<shape.queryCount).map { _ in Float(g.normal()) }, k = (0..<shape.keyCount).map { _ in Float(g.normal()) }
        let v = (0..<shape.valueCount).map { _ in Float(g.normal()) }
        var out = [Float](repeating: 0, count: shape.outputCount)
        var options = AttentionOptions(causal: causal ? .topLeft : nil, threads: threads)
        if p.number("scale") != 0 { options.scale = p.number("scale") }
        if p.number("softcap") > 0 { options.softcap = p.number("softcap") }
        let normalizer = p.string("normalizer") == "softmax" ? nil : try {
            let m = try MethodRegistry.complete.method(p.string("normalizer"))
            guard let make = m.normalizer else { throw ValidationErrorMessage("--param normalizer: '\(m.id)' is not a normalizer") }
            return try make(m.resolve([:]))
        }()
        let flops = 4 * Double(shape.queries) * Double(shape.keys) * Double(shape.headDim) * Double(shape.heads * shape.batch)
        let seconds = try Timing.median(repeats: repeats) {
            if let normalizer {
                try NormalizedAttention.run(q: q, k: k, v: v, shape: shape, options: options, normalizer: normalizer, output: &out)
            } else {
                try FlashAttention.run(q: q, k: k, v: v, shape: shape, options: options, output: &out)
            }
        }
        return Result(id: id, batch: shape.batch, heads: shape.heads, kvHeads: shape.kvHeads, seq: shape.queries, headDim: shape.headDim,
                      threads: threads, causal: causal, seconds: seconds, gflops: flops / seconds / 1e9)
    }
}
