import SoftmaxKit

/// The float64 element-wise references activations and exponentials are measured against. The row
/// functions (softmax, log-softmax, logsumexp) are `SoftmaxReference`'s, the definition the exact
/// kernels are tested against.
public enum Float64Reference {
    /// GELU, `x·Φ(x) = ½x·erfc(−x/√2)` (erfc keeps the relative accuracy for negative x).
    public static func gelu(_ x: Double) -> Double {
        if x == .infinity { return x }
        if x == -.infinity { return 0 }
        return x * libmErfc(-x * 0.707_106_781_186_547_5) / 2
    }

    /// SiLU, `x·σ(x)`.
    public static func silu(_ x: Double) -> Double {
        x == -.infinity ? 0 : x / (1 + libmExp(-x))
    }

    /// The element-wise reference function `f` for an activation-like method.
    public static func elementwise(_ f: ReferenceFunction) -> (Double) -> Double {
        switch f {
        case .gelu: gelu
        case .silu: silu
        case .exp: libmExp
        case .softmax, .logSoftmax: { _ in .nan }  // row functions: not element-wise
        }
    }
}
