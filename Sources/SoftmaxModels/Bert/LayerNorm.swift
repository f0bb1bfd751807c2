import SoftmaxKit

/// `row ← LayerNorm(row + residual)·γ + β` over one row of `count` floats, in three vector passes
/// that stay in L1: add the residual while summing, sum the squared deviations, then scale and
/// shift. Two-pass statistics in float32, as PyTorch's CPU kernel; sums run in sixteen lanes and
/// are reduced pairwise, so they differ from a left-to-right sum only in rounding.
@inline(__always)
func layerNormalize(
    _ row: UnsafeMutablePointer<Float>, adding residual: UnsafePointer<Float>?, count h: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
) {
    typealias V = SIMD16<Float>
    let body = h & ~15
    var total = V()
    var k = 0
    while k < body {
        var v = Float.load(row + k)
        if let residual {
            v += Float.load(residual + k)
            Float.store(v, to: row + k)
        }
        total += v
        k += 16
    }
    var sum = Float.horizontalSum(total)
    for j in body..<h {
        if let residual { row[j] += residual[j] }
        sum += row[j]
    }
    let mean = sum / Float(h), meanVector = V(repeating: mean)
    var squares = V()
    k = 0
    while k < body {
        let d = Float.load(row + k) - meanVector
        squares = Float.multiplyAdd(squares, d, d)
        k += 16
    }
    var squareSum = Float.horizontalSum(squares)
    for j in body..<h { squareSum += (row[j] - mean) * (row[j] - mean) }
    let inverse = 1 / (squareSum / Float(h) + epsilon).squareRoot(), inverseVector = V(repeating: inverse)
    k = 0
    while k < body {
        let scaled = (Float.load(row + k) - meanVector) * inverseVector
        Float.store(Float.multiplyAdd(Float.load(beta + k), scaled, Float.load(gamma + k)), to: row + k)
        k += 16
    }
    for j in body..<h { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
}
