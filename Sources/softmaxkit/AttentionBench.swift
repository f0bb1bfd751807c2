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
        let method = try MethodRegistry.complete.method(id)
        guard method.role == .attention else {
            let engines = MethodRegistry.complete.methods.filter { $0.role == .attention }.map(\.id)
            throw ValidationErrorMessage("bench --seq times attention engines; '\(id)' is not one (engines: \(engines.joined(separator: ", ")))")
        }
        if id != "attention" { return try runOneHeadEngine(method, parameters: parameters, shape: shape, causal: causal, threads: threads, repeats: repeats) }
        var given = parameters
        if causal { given["causal"] = .string("top-left") }
        guard var engine = try MethodRegistry.complete.attentionEngine(id, parameters: given) as? ExactAttentionEngine else {
            throw ValidationErrorMessage("'\(id)' did not make the exact attention engine")
        }
        engine.options.threads = threads
        var g = SeededGenerator(seed: 11)
        let q = (0..<shape.queryCount).map { _ in Float(g.normal()) }, k = (0..<shape.keyCount).map { _ in Float(g.normal()) }
        let v = (0..<shape.valueCount).map { _ in Float(g.normal()) }
        var out = [Float](repeating: 0, count: shape.outputCount)
        let flops = 4 * Double(shape.queries) * Double(shape.keys) * Double(shape.headDim) * Double(shape.heads * shape.batch)
        let seconds = try q.withUnsafeBufferPointer { qb in
            try k.withUnsafeBufferPointer { kb in
                try v.withUnsafeBufferPointer { vb in
                    try out.withUnsafeMutableBufferPointer { ob in
                        try Timing.median(repeats: repeats) { try engine.attend(q: qb, k: kb, v: vb, shape: shape, into: ob) }
                    }
                }
            }
        }
        return Result(
            id: id, batch: shape.batch, heads: shape.heads, kvHeads: shape.kvHeads, seq: shape.queries, headDim: shape.headDim,
            threads: threads, causal: causal, seconds: seconds, gflops: flops / seconds / 1e9)
    }

    /// Engines written per head (`[N, D]` inputs): timed through the registry, head by head, on
    /// random inputs (projections `W` with r = 256 features, SOFT landmarks every 8 tokens).
    static func runOneHeadEngine(
        _ method: MethodDescriptor, parameters: [String: ParameterValue], shape: AttentionShape, causal: Bool,
        threads: Int, repeats: Int
    ) throws -> Result {
        var values = parameters
        if causal {
            guard let spec = method.parameters.first(where: { $0.name == "causal" }) else {
                throw ValidationErrorMessage("'\(method.id)' has no causal form")
            }
            guard spec.choices.contains("top-left") else { throw ValidationErrorMessage("'\(method.id)' has no top-left causal form") }
            values["causal"] = .string("top-left")
        }
        let (n, d) = (shape.queries, shape.headDim)
        var g = SeededGenerator(seed: 13)
        func random(_ rows: Int, _ cols: Int, scale: Double = 1) -> Tensor {
            Tensor(shape: [rows, cols], (0..<(rows * cols)).map { _ in Float(scale * g.normal()) })
        }
        var inputs: [String: Tensor] = ["Q": random(n, d), "V": random(n, shape.valueDim)]
        if method.inputs.contains(where: { $0.name == "K" }) { inputs["K"] = random(n, d) }
        if method.inputs.contains(where: { $0.name == "W" }) { inputs["W"] = random(256, d) }
        if method.inputs.contains(where: { $0.name == "L" }) { inputs["L"] = random(max(1, n / 8), d, scale: 0.35) }
        let heads = shape.batch * shape.heads
        let flops = 4 * Double(n) * Double(n) * Double(d) * Double(heads)
        let seconds = try Timing.median(repeats: repeats) {
            for _ in 0..<heads { _ = try MethodRegistry.complete.call(method.id, inputs: inputs, parameters: values) }
        }
        return Result(
            id: method.id, batch: shape.batch, heads: shape.heads, kvHeads: shape.kvHeads, seq: n, headDim: d,
            threads: 1, causal: causal, seconds: seconds, gflops: flops / seconds / 1e9)
    }
}
