import MatrixMultiply
import SoftmaxKit

/// One attention head as plain row-major arrays, `Q [Nq, D]`, `K [Nk, D]`, `V [Nk, Dv]`: the
/// form the replacement attentions are written in (they materialise their `Nq × Nk` weights, as
/// their papers define them; O(Nq·Nk) memory).
struct DenseHead<T: KernelScalar> {
    let q: [T], k: [T], v: [T]
    let queries: Int, keys: Int, headDim: Int, valueDim: Int

    /// `scale·qᵢ·kⱼ` for all pairs. Float heads run on the packed matrix multiply.
    func scores(scale: T) -> [T] {
        if let qf = sameTypeArray(q, as: Float.self), let kf = sameTypeArray(k, as: Float.self) {
            return sameTypeArray(Self.floatProduct(qf, kf, m: queries, n: keys, k: headDim, transposeB: true, alpha: Float(scale)), as: T.self)!
        }
        var s = [T](repeating: 0, count: queries * keys)
        for i in 0..<queries {
            for j in 0..<keys {
                var dot = T(0)
                for p in 0..<headDim { dot += q[i * headDim + p] * k[j * headDim + p] }
                s[i * keys + j] = scale * dot
            }
        }
        return s
    }

    /// `W·V` for weights `W [Nq, Nk]`. Zero weights never read their value rows, so a masked key
    /// whose value is NaN or infinite leaves the output finite: Float heads with finite values run
    /// on the matrix multiply, others skip the zero weights one by one.
    func apply(_ w: [T], to values: [T]? = nil) -> [T] {
        let vv = values ?? v
        if let wf = sameTypeArray(w, as: Float.self), let vf = sameTypeArray(vv, as: Float.self), vf.allSatisfy(\.isFinite) {
            return sameTypeArray(Self.floatProduct(wf, vf, m: queries, n: valueDim, k: keys, transposeB: false, alpha: 1), as: T.self)!
        }
        var out = [T](repeating: 0, count: queries * valueDim)
        for i in 0..<queries {
            for j in 0..<keys where w[i * keys + j] != 0 {
                let wij = w[i * keys + j]
                for p in 0..<valueDim { out[i * valueDim + p] += wij * vv[j * valueDim + p] }
            }
        }
        return out
    }

    /// `alpha·A·op(B)`, `A [m × k]`, `B [k × n]` or (`transposeB`) `[n × k]`, row-major.
    private static func floatProduct(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeB: Bool, alpha: Float) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        guard m > 0, n > 0 else { return c }
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    guard let ab = ap.baseAddress, let bb = bp.baseAddress else { return }  // k = 0: C stays 0
                    Gemm.multiply(
                        m: m, n: n, k: k, Gemm.Operand(ab, ld: k), Gemm.Operand(bb, ld: transposeB ? k : n, transposed: transposeB),
                        into: cp.baseAddress!, ldc: n, alpha: alpha)
                }
            }
        }
        return c
    }
}

/// Reads `Q`, `K` and (when `needsValues`) `V` of one head, 2-d `[N, D]`, and the optional
/// 2-d keep-mask `[Nq, Nk]`.
func denseHead<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type, needsValues: Bool = true)
    throws -> (head: DenseHead<T>, mask: [Bool]?)
{
    let (q, qs) = try invocation.real("Q", as: T.self), (k, ks) = try invocation.real("K", as: T.self)
    let (v, vs) = needsValues ? try invocation.real("V", as: T.self) : ([T](), [ks.first ?? 0, 1])
    for (name, s) in [("Q", qs), ("K", ks), ("V", vs)] where s.count != 2 {
        throw TensorError.badRank(tensor: name, shape: Tensor.describe(shape: s), expected: "2-d [N, D] (one head)")
    }
    guard ks[1] == qs[1] else { throw TensorError.shapeMismatch(tensor: "K", shape: Tensor.describe(shape: ks), expected: "[Nk, \(qs[1])] (D of Q)") }
    guard vs[0] == ks[0] else { throw TensorError.shapeMismatch(tensor: "V", shape: Tensor.describe(shape: vs), expected: "[\(ks[0]), Dv] (Nk of K)") }
    var mask: [Bool]? = nil
    if let (m, ms) = try invocation.booleans("mask") {
        guard ms == [qs[0], ks[0]] else {
            throw TensorError.shapeMismatch(tensor: "mask", shape: Tensor.describe(shape: ms), expected: Tensor.describe(shape: [qs[0], ks[0]]))
        }
        mask = m
    }
    return (DenseHead(q: q, k: k, v: v, queries: qs[0], keys: ks[0], headDim: qs[1], valueDim: vs[1]), mask)
}
