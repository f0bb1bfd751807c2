import SoftmaxKit
import Dispatch
let args = CommandLine.arguments
let rows = Int(args[1])!, cols = Int(args[2])!
let alg = SoftmaxAlgorithm(rawValue: args[3])!
let reps = Int(args[4]) ?? 10
var x = Matrix<Float>(rows: rows, cols: cols, elements: (0..<(rows*cols)).map { Float(($0 * 7919) % 1000) / 100 })
var y = Matrix<Float>(rows: rows, cols: cols, repeating: 0)
var best = Double.infinity
for _ in 0..<reps {
  let t0 = DispatchTime.now().uptimeNanoseconds
  try x.withRowBatch { xb in try y.withMutableRowBatch { yb in try ExactSoftmax.softmax(xb, into: yb, options: .init(algorithm: alg, threads: 1)) } }
  let t = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
  best = min(best, t)
}
print(alg, rows, cols, best, Double(rows*cols*8)/best/1e9, "GB/s", y.elements[0..<3])
