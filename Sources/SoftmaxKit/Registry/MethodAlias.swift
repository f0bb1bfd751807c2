/// A registered id that is another name for a variant of another method: `two-pass-softmax` is
/// `softmax` with `algorithm=two-pass`. The registry keeps both (each has its own outputs and
/// citation); the lab ranks the computation once, under the named id.
public struct MethodAlias: Sendable, Equatable {
    /// The method this id is a variant of.
    public let target: String
    /// The target's parameters that make the variant.
    public let parameters: [String: ParameterValue]
    /// True when both compute the same bits; false when they compute the same function with
    /// different rounding (Softermax's integer running maximum against base-2 softmax's float one).
    public let isBitIdentical: Bool

    /// The alias of `target` with `parameters`.
    public init(of target: String, _ parameters: [String: ParameterValue], isBitIdentical: Bool) {
        self.target = target
        self.parameters = parameters
        self.isBitIdentical = isBitIdentical
    }
}
