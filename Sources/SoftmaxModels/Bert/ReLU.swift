import SoftmaxKit

/// `max(0, x)`, for configs with `hidden_act = relu`.
struct ReLU: ElementwiseFunction {
    func callAsFunction(_ x: Float) -> Float { max(0, x) }
    func callAsFunction(_ x: Double) -> Double { max(0, x) }
}
