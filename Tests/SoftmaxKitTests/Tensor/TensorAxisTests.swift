import SoftmaxKit
import Testing

/// Moving an axis last and back: the copies `MethodRegistry.call` makes for rows along any axis.
@Suite struct TensorAxisTests {
    /// Element `index` of a C-order tensor of `shape`.
    static func element(_ values: [Double], _ shape: [Int], _ index: [Int]) -> Double {
        var flat = 0
        for (i, n) in zip(index, shape) { flat = flat * n + i }
        return values[flat]
    }

    /// Every multi-index of `shape`, in C order.
    static func indices(_ shape: [Int]) -> [[Int]] {
        var all: [[Int]] = [[]]
        for n in shape { all = all.flatMap { prefix in (0..<n).map { prefix + [$0] } } }
        return all
    }

    @Test(arguments: [[2, 3, 4], [5, 1, 3, 2], [3, 4], [4, 0, 2]])
    func movingAnAxisLastIsMoveaxis(shape: [Int]) throws {
        let values = (0..<shape.reduce(1, *)).map(Double.init)
        let x = Tensor(shape: shape, values)
        for axis in 0..<shape.count {
            let moved = x.movingAxisLast(axis)
            var expectedShape = shape
            expectedShape.append(expectedShape.remove(at: axis))
            #expect(moved.shape == expectedShape)
            let got = try #require(Optional(moved).float64)
            for index in Self.indices(shape) {
                var movedIndex = index
                movedIndex.append(movedIndex.remove(at: axis))
                #expect(Self.element(got, expectedShape, movedIndex) == Self.element(values, shape, index), "\(shape) axis \(axis) \(index)")
            }
            #expect(moved.movingLastAxis(to: axis) == x, "the inverse restores \(shape) axis \(axis)")
        }
    }

    @Test func everyDtypeMoves() {
        let shape = [2, 3]
        let moved = Tensor(shape: shape, storage: .int64([0, 1, 2, 3, 4, 5])).movingAxisLast(0)
        #expect(moved == Tensor(shape: [3, 2], storage: .int64([0, 3, 1, 4, 2, 5])))
        let mask = Tensor(shape: shape, [true, false, false, true, true, false]).movingAxisLast(0)
        #expect(mask == Tensor(shape: [3, 2], [true, true, false, true, false, false]))
    }

    @Test func axesResolveAsNumPyDoes() throws {
        #expect(try Tensor.resolveAxis(-1, rank: 3, tensor: "x", shape: [2, 3, 4]) == 2)
        #expect(try Tensor.resolveAxis(-3, rank: 3, tensor: "x", shape: [2, 3, 4]) == 0)
        #expect(try Tensor.resolveAxis(1, rank: 3, tensor: "x", shape: [2, 3, 4]) == 1)
        #expect(try Tensor.resolveAxis(0, rank: 0, tensor: "x", shape: []) == 0)
        #expect(try Tensor.resolveAxis(-1, rank: 0, tensor: "x", shape: []) == 0)
        for bad in [3, -4, 100] {
            let error = #expect(throws: TensorError.self) { try Tensor.resolveAxis(bad, rank: 3, tensor: "x", shape: [2, 3, 4]) }
            #expect(error?.description == "axis \(bad) is out of range for input 'x' of shape (2, 3, 4); use an axis in -3…2")
        }
    }
}
