import SoftmaxKit
import Testing

/// Every registered activation gives the same bits on one thread and on several — including a
/// few long rows, which element-wise activations cut into blocks shared out over the threads.
@Suite struct ActivationThreadsTests {
    func apply(_ activation: any Activation, _ x: Matrix<Float>, threads: Int) throws -> [UInt8] {
        var y = Matrix<Float>(rows: x.rows, cols: x.cols, repeating: 0)
        try x.withRowBatch { xb in try y.withMutableRowBatch { try activation.activate(xb, into: $0, threads: threads) } }
        return y.elements.withUnsafeBytes { Array($0) }
    }

    @Test func sameBitsForEveryThreadCount() throws {
        var g = SeededGenerator(seed: 3)
        let shapes = [(1, 3 * 4096 + 5), (3, 9001), (64, 300)]
        let batches = shapes.map { rows, cols in Matrix(rows: rows, cols: cols, elements: (0..<(rows * cols)).map { _ in Float(4 * g.normal()) }) }
        let registry = MethodRegistry.standard
        var checked = 0
        for method in registry.methods {
            guard let make = method.activation else { continue }
            let activation = try make(method.resolve([:]))
            for x in batches {
                let one = try apply(activation, x, threads: 1)
                for threads in [2, 3] {
                    #expect(try apply(activation, x, threads: threads) == one, "\(method.id) \(x.rows)×\(x.cols) on \(threads) threads")
                }
            }
            checked += 1
        }
        #expect(checked >= 5)
    }
}
