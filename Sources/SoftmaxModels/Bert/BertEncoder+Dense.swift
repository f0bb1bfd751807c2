import MatrixMultiply
import SoftmaxAttention
import SoftmaxKit

// The encoder's linear layers and LayerNorm.
extension BertEncoder {
    /// A linear layer ready for the matrix multiply: `Wᵀ` pre-packed, and the bias.
    struct PackedDense: Sendable {
        let weight: Gemm.PackedB
        let bias: [Float]
        let inputs: Int, outputs: Int

        init(weight: [Float], bias: [Float], inputs: Int, outputs: Int) {
            self.weight = weight.withUnsafeBufferPointer { Gemm.PackedB(k: inputs, n: outputs, Gemm.Operand($0.baseAddress!, ld: inputs, transposed: true)) }
            self.bias = bias
            self.inputs = inputs
            self.outputs = outputs
        }

        init(_ l: BertWeights.Linear) { self.init(weight: l.weight, bias: l.bias, inputs: l.inputs, outputs: l.outputs) }
    }

    struct PackedLayer: Sendable {
        let qkv: PackedDense, attentionOutput: PackedDense, intermediate: PackedDense, output: PackedDense

        init(_ l: BertWeights.Layer) {
            qkv = PackedDense(
                weight: l.query.weight + l.key.weight + l.value.weight, bias: l.query.bias + l.key.bias + l.value.bias,
                inputs: l.query.inputs, outputs: 3 * l.query.outputs)
            attentionOutput = PackedDense(l.attentionOutput)
            intermediate = PackedDense(l.intermediate)
            output = PackedDense(l.output)
        }
    }

    /// `y = f(x·Wᵀ + b)` (the bias added as the product stores its tiles, `f` applied to each finished block).
    func dense(_ x: [Float], rows: Int, _ layer: PackedDense, into y: inout [Float], threads: Int, activation: Gemm.Epilogue? = nil) {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                layer.bias.withUnsafeBufferPointer { b in
                    Gemm.multiply(
                        m: rows, Gemm.Operand(xp.baseAddress!, ld: layer.inputs), layer.weight, into: yp.baseAddress!,
                        ldc: layer.outputs, bias: b.baseAddress!, epilogue: activation, threads: threads)
                }
            }
        }
    }

    /// `x ← LayerNorm(x + residual)` row by row, rows in parallel: `(v − mean)/√(var + eps)·γ + β`
    /// over the `H` values of each row (`layerNormalize`).
    func addAndNormalize(_ x: inout [Float], _ residual: [Float]?, rows: Int, _ n: BertWeights.Norm, threads: Int) {
        let h = config.hiddenSize, eps = Float(config.layerNormEps)
        func shared(_ p: UnsafeBufferPointer<Float>) -> UnsafeSendable<Float>? { p.baseAddress.map { UnsafeSendable(UnsafeMutablePointer(mutating: $0)) } }
        x.withUnsafeMutableBufferPointer { xp in
            (residual ?? []).withUnsafeBufferPointer { rp in
                n.gamma.withUnsafeBufferPointer { gp in
                    n.beta.withUnsafeBufferPointer { bp in
                        let base = UnsafeSendable(xp.baseAddress!), add = residual == nil ? nil : shared(rp), gamma = shared(gp)!, beta = shared(bp)!
                        RowParallel.forEachChunk(rows: rows, threads: rows * h >= 1 << 16 ? threads : 1) { range in
                            for r in range {
                                layerNormalize(
                                    base.pointer + r * h, adding: add.map { UnsafePointer($0.pointer + r * h) }, count: h,
                                    gamma: gamma.pointer, beta: beta.pointer, epsilon: eps)
                            }
                        }
                    }
                }
            }
        }
    }
}
