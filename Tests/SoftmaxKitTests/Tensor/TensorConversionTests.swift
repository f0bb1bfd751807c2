import SoftmaxKit
import Testing

/// Conversions happen only where they are exact.
@Suite struct TensorConversionTests {
    @Test func integersBecomeFloatsWhenRepresentable() throws {
        #expect(try Tensor(shape: [2], storage: .int32([3, -4])).floatingPoint(as: Float.self, name: "x") == [3, -4])
        #expect(try Tensor(shape: [1], storage: .int64([1 << 53])).floatingPoint(as: Double.self, name: "x") == [9_007_199_254_740_992])
        #expect(throws: TensorError.self) { try Tensor(shape: [1], storage: .int64([(1 << 24) + 1])).floatingPoint(as: Float.self, name: "x") }
        #expect(try Tensor(shape: [1], storage: .bool([true])).floatingPoint(as: Float.self, name: "x") == [1])
    }

    @Test func floatsOfAnotherWidthNeedPermissionToRound() throws {
        let d = Tensor(shape: [1], [0.1] as [Double])
        #expect(throws: TensorError.self) { try d.floatingPoint(as: Float.self, name: "x") }
        #expect(try d.floatingPoint(as: Float.self, name: "x", rounding: true) == [0.1])
        #expect(try Tensor(shape: [1], [0.1] as [Float]).floatingPoint(as: Double.self, name: "x") == [Double(Float(0.1))])
        #expect(try Tensor(shape: [1], storage: .float16([0.5])).floatingPoint(as: Float.self, name: "x") == [0.5])
    }

    @Test func indicesAndBooleans() throws {
        #expect(try Tensor(shape: [3], [0, 2, 7] as [Float]).indices(name: "labels") == [0, 2, 7])
        #expect(throws: TensorError.self) { try Tensor(shape: [1], [1.5] as [Float]).indices(name: "labels") }
        #expect(throws: TensorError.self) { try Tensor(shape: [1], [Double.nan]).indices(name: "labels") }
        #expect(try Tensor(shape: [3], storage: .int32([0, 1, 1])).booleans(name: "mask") == [false, true, true])
        #expect(try Tensor(shape: [2], [0, 1] as [Double]).booleans(name: "mask") == [false, true])
        let error = #expect(throws: TensorError.self) { try Tensor(shape: [1], storage: .int64([2])).booleans(name: "mask") }
        #expect(error?.description.contains("'mask'") == true)
    }

    @Test func rowLayoutsOfEachRank() {
        #expect(RowLayout(shape: []) == RowLayout(shape: [1]))
        #expect(RowLayout(shape: [5]).perRowShape == [])
        let l = RowLayout(shape: [3, 4])
        #expect(l.rows == 3 && l.cols == 4 && l.perRowShape == [3])
        let n = RowLayout(shape: [2, 3, 5])
        #expect(n.rows == 6 && n.cols == 5 && n.perRowShape == [2, 3])
        let empty = RowLayout(shape: [4, 0, 7])
        #expect(empty.rows == 0 && empty.cols == 7 && empty.perRowShape == [4, 0])
    }
}
