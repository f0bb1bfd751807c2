/// The leading axes of a loss's or sampler's scores, folded into one row axis for the call and
/// unfolded in its outputs, so that methods written for `[N, C]` take scores of any rank as
/// PyTorch's `cross_entropy` takes `(N, C, d1, …)` (here with the classes last, or along `axis`).
///
/// With scores of shape `lead + [C]` (the row axis already moved last) and `rows` the product of
/// `lead`: the row-axis inputs become `[rows, C]`, and inputs of shape `lead` (labels, a row's
/// temperature) become `[rows]`; other inputs (class weights, 0-d values) are left as they are.
/// Outputs of shape `[rows]` get the shape `lead`, outputs of shape `[rows, C]` the scores' shape;
/// others (0-d means) are left as they are. (No registered loss or sampler has a per-class output
/// that could be mistaken for a per-row one; a new one with such an output would need its own rule.)
struct LeadingAxes {
    let lead: [Int]
    let rows: Int
    let classes: Int
    let names: [String]

    /// Nil unless `method` is a loss or sampler with row-axis inputs whose scores are 3-d or more.
    init?(method: MethodDescriptor, inputs: [String: Tensor]) {
        guard method.role == .loss || method.role == .sampler,
            let first = method.axisInputs.first(where: { inputs[$0] != nil }), let scores = inputs[first], scores.rank > 2
        else { return nil }
        lead = Array(scores.shape.dropLast())
        rows = lead.reduce(1, *)
        classes = scores.shape[scores.rank - 1]
        names = method.axisInputs
    }

    func folded(_ inputs: [String: Tensor]) -> [String: Tensor] {
        inputs.reduce(into: [:]) { out, entry in
            let (name, t) = entry
            if names.contains(name), t.shape == lead + [classes] {
                out[name] = Tensor(shape: [rows, classes], storage: t.storage)
            } else if t.shape == lead {
                out[name] = Tensor(shape: [rows], storage: t.storage)
            } else {
                out[name] = t
            }
        }
    }

    func unfolded(_ outputs: [String: Tensor]) -> [String: Tensor] {
        outputs.mapValues { t in
            if t.shape == [rows] { return Tensor(shape: lead, storage: t.storage) }
            if t.shape == [rows, classes] { return Tensor(shape: lead + [classes], storage: t.storage) }
            return t
        }
    }
}
