import Foundation

/// Registry entries for the SDM activation (Schmaltz 2025): the activation as a normalizer with
/// its per-row inputs, its log form, the loss, and the helpers that compute q and d.
enum SDMMethods {
    static let perRow = [
        TensorSpec("q", "similarity per row, ≥ 0 (one per row, or 0-d for all; default: the q parameter)", optional: true),
        TensorSpec("d", "distance quantile per row, ≥ 0 (one per row, or 0-d; default: the d parameter)", optional: true),
    ]

    static let all: [MethodDescriptor] = [
        MethodDescriptor(
            id: "sdm-activation", role: .normalizer,
            summary: "SDM activation: (2+q)^{d·zᵢ}/Σ(2+q)^{d·z_c} = softmax(z·d·ln(2+q)), q and d per row",
            parameters: SDMParameters.specs, inputs: [TensorSpec("z", "logits, rows × cols")] + perRow,
            outputs: [TensorSpec("y", "weights, same shape")], isExact: true, citation: SDMActivation.citation,
            implementation: SDMActivationMethod(log: false), normalizer: { RowKernelNormalizer(SDMKernel(q: SDMParameters($0).q, d: SDMParameters($0).d)) },
            isReplacement: true, axisInputs: ["z"]),
        MethodDescriptor(
            id: "sdm-log-activation", role: .primitive, summary: "log_{2+q} SDM(z) = log_softmax(z·d·ln(2+q))/ln(2+q), q and d per row",
            parameters: SDMParameters.specs, inputs: [TensorSpec("z", "logits, rows × cols")] + perRow,
            outputs: [TensorSpec("y", "log base 2+q of the weights, same shape")], isExact: true, citation: SDMActivation.citation,
            implementation: SDMActivationMethod(log: true)),
        MethodDescriptor(
            id: "sdm-loss", role: .loss, summary: "mean of −log_{2+q} SDM(z)_y; ∂(per example)/∂z = d·(SDM(z) − e_y)",
            parameters: SDMParameters.specs,
            inputs: [TensorSpec("z", "logits [N, C]")] + perRow + [TensorSpec("labels", .index, "[N] classes")],
            outputs: [
                TensorSpec("per_example", "[N]"), TensorSpec("loss", "the mean (0-d)"),
                TensorSpec("grad_z", "∂ per_example/∂z, [N, C]"),
            ],
            isExact: true, citation: SDMActivation.citation, implementation: SDMLossMethod(), axisInputs: ["z"]),
        MethodDescriptor(
            id: "sdm-similarity", role: .primitive,
            summary: "q = leading nearest neighbours correctly predicted with the test point's class ŷ = argmax z",
            parameters: SDMSimilarityParameters.specs,
            inputs: [
                TensorSpec("z", "logits [N, C]"), TensorSpec("nn_labels", .index, "true labels of the nearest training points [N, k], nearest first"),
                TensorSpec("nn_predictions", .index, "their predicted labels [N, k]"),
            ],
            outputs: [TensorSpec("q", "[N] (real)"), TensorSpec("yhat", .index, "[N] argmax z (first maximum)")], isExact: true,
            citation: SDMActivation.citation, implementation: SDMSimilarityMethod()),
        MethodDescriptor(
            id: "sdm-distance-quantile", role: .primitive,
            summary: "d = min over classes of 1 − eCDF_c(max(d₀, 0)) over calibration distances with q > 0 (0 for an empty class)",
            parameters: SDMDistanceParameters.specs,
            inputs: [
                TensorSpec("d_nearest", "distance to the nearest training point [N]"),
                TensorSpec("cal_d_nearest", "calibration points' nearest distances [M]"), TensorSpec("cal_labels", .index, "their true labels [M]"),
                TensorSpec("cal_q", "their similarities [M]"),
            ],
            outputs: [TensorSpec("d", "[N]"), TensorSpec("d_per_class", "[N, num_classes]")], isExact: true,
            citation: SDMActivation.citation, implementation: SDMDistanceMethod()),
        MethodDescriptor(
            id: "sdm-rescaled-similarity", role: .primitive, summary: "q′ = min(q, (2+q)^{SDM(z)_ŷ}), element-wise",
            inputs: [TensorSpec("q", "similarities"), TensorSpec("sdm_pred", "SDM output at the predicted class, same shape")],
            outputs: [TensorSpec("q_prime", "same shape")], isExact: true, citation: SDMActivation.citation,
            implementation: SDMRescaledSimilarityMethod()),
    ]
}

/// The SDM activation's q and d when no per-row inputs are given (and for the normalizer the lab
/// and the models swap in).
struct SDMParameters: MethodParameters {
    var q = M_E - 2
    var d = 1.0
    static let declarations: [ParameterDeclaration<Self>] = [
        .number("q", \.q, "similarity q ≥ 0 (e − 2 with d = 1 is softmax)", range: 0...1e300),
        .number("d", \.d, "distance quantile d ≥ 0 (0: uniform)", range: 0...1e300),
    ]
}

struct SDMSimilarityParameters: MethodParameters {
    var excludeFirst = false
    static let declarations: [ParameterDeclaration<Self>] = [
        .boolean("exclude_first", \.excludeFirst, "skip the first neighbour (a training point's own match)")
    ]
}

struct SDMDistanceParameters: MethodParameters {
    var classes = 2
    var side = SDMCalibration.Side.left
    static let declarations: [ParameterDeclaration<Self>] = [
        .integer("num_classes", \.classes, "the number of classes C", range: 1...1_000_000),
        .choice("side", \.side, "left (#{v < d₀}, the reference code) or right (#{v ≤ d₀}, the usual eCDF)"),
    ]
}

/// `q` and `d` for each row: the per-row input, else the parameter; each finite and ≥ 0.
func sdmPerRow(_ invocation: MethodInvocation, _ name: String, layout: RowLayout, parameter: Double) throws -> [Double] {
    try perRowInput(invocation, name, layout: layout, fallback: parameter, expected: "a finite value ≥ 0") { $0.isFinite && $0 >= 0 }
}

struct SDMActivationMethod: MethodImplementation {
    let log: Bool

    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (z, shape) = try invocation.real("z", as: T.self)
        let layout = RowLayout(shape: shape)
        let p = SDMParameters(invocation.parameters)
        let q = try sdmPerRow(invocation, "q", layout: layout, parameter: p.q)
        let d = try sdmPerRow(invocation, "d", layout: layout, parameter: p.d)
        var y = [T](repeating: 0, count: z.count)
        z.withUnsafeBufferPointer { zb in
            y.withUnsafeMutableBufferPointer { yb in
                for r in 0..<layout.rows where layout.cols > 0 {
                    let o = r * layout.cols
                    SDMActivation.row(zb.baseAddress! + o, yb.baseAddress! + o, count: layout.cols, q: q[r], d: d[r], log: log)
                }
            }
        }
        return ["y": .of(y, shape: shape)]
    }
}

struct SDMLossMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (z, n, c) = try matrixInput(invocation, "z")
        let layout = RowLayout(shape: [n, c])
        let p = SDMParameters(invocation.parameters)
        let q = try sdmPerRow(invocation, "q", layout: layout, parameter: p.q)
        let d = try sdmPerRow(invocation, "d", layout: layout, parameter: p.d)
        let labels = try indexInput(invocation, "labels", count: n)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= c }) {
            throw LossError.label("labels[\(bad)] = \(labels[bad]) is not a class of \(c) (0…\(c - 1))")
        }
        var perExample = [Double](repeating: 0, count: n), grad = [Double](repeating: 0, count: n * c)
        var logs = [Double](repeating: 0, count: c), probabilities = [Double](repeating: 0, count: c)
        z.withUnsafeBufferPointer { zb in
            for r in 0..<n where c > 0 {
                SDMActivation.row(zb.baseAddress! + r * c, &logs, count: c, q: q[r], d: d[r], log: true)
                SDMActivation.row(zb.baseAddress! + r * c, &probabilities, count: c, q: q[r], d: d[r], log: false)
                perExample[r] = -logs[labels[r]]
                for j in 0..<c { grad[r * c + j] = d[r] * (probabilities[j] - (j == labels[r] ? 1 : 0)) }
            }
        }
        let flat = invocation.inputs["z"]?.rank == 1
        return [
            "per_example": lossTensor(perExample, shape: flat ? [] : [n], as: T.self),
            "loss": lossTensor([n == 0 ? .nan : perExample.reduce(0, +) / Double(n)], shape: [], as: T.self),
            "grad_z": lossTensor(grad, shape: flat ? [c] : [n, c], as: T.self),
        ]
    }
}

/// A 2-d index input `[rows, k]` (a 1-d one is one row).
func indexMatrix(_ invocation: MethodInvocation, _ name: String, rows: Int) throws -> (values: [Int], k: Int) {
    guard let t = invocation.inputs[name] else { throw RegistryError.missingInput(method: invocation.method, name: name) }
    let v = try t.indices(name: name)
    switch t.rank {
    case 1 where rows == 1: return (v, t.shape[0])
    case 2 where t.shape[0] == rows: return (v, t.shape[1])
    default: throw TensorError.shapeMismatch(tensor: name, shape: t.shapeDescription, expected: "[\(rows), k]: k neighbours per row")
    }
}

struct SDMSimilarityMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (z, n, c) = try matrixInput(invocation, "z")
        let (labels, k) = try indexMatrix(invocation, "nn_labels", rows: n)
        let (predictions, k2) = try indexMatrix(invocation, "nn_predictions", rows: n)
        guard k2 == k else {
            throw TensorError.shapeMismatch(
                tensor: "nn_predictions", shape: invocation.inputs["nn_predictions"]!.shapeDescription, expected: "the shape of nn_labels")
        }
        let exclude = SDMSimilarityParameters(invocation.parameters).excludeFirst
        var q = [Double](repeating: 0, count: n), yhat = [Int64](repeating: 0, count: n)
        for r in 0..<n where c > 0 {
            let y = SDMCalibration.argmax(z[(r * c)..<(r * c + c)])
            yhat[r] = Int64(y)
            q[r] = Double(
                SDMCalibration.similarity(
                    yhat: y, labels: labels[(r * k)..<(r * k + k)], predictions: predictions[(r * k)..<(r * k + k)], excludeFirst: exclude))
        }
        let flat = invocation.inputs["z"]?.rank == 1
        return ["q": lossTensor(q, shape: flat ? [] : [n], as: T.self), "yhat": Tensor(shape: flat ? [] : [n], storage: .int64(yhat))]
    }
}

struct SDMDistanceMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (d0, d0Shape) = try invocation.real("d_nearest", as: Double.self)
        let (cal, calShape) = try invocation.real("cal_d_nearest", as: Double.self)
        let (calQ, calQShape) = try invocation.real("cal_q", as: Double.self)
        guard let labelTensor = invocation.inputs["cal_labels"] else { throw RegistryError.missingInput(method: invocation.method, name: "cal_labels") }
        let labels = try labelTensor.indices(name: "cal_labels")
        for (name, shape) in [("cal_d_nearest", calShape), ("cal_q", calQShape), ("cal_labels", labelTensor.shape)]
        where shape.count != 1 || shape[0] != labels.count {
            throw TensorError.shapeMismatch(tensor: name, shape: Tensor.describe(shape: shape), expected: "[M], one per calibration point, M = \(labels.count)")
        }
        guard d0Shape.count <= 1 else {
            throw TensorError.badRank(tensor: "d_nearest", shape: Tensor.describe(shape: d0Shape), expected: "[N] or 0-d")
        }
        let p = SDMDistanceParameters(invocation.parameters)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= p.classes }) {
            throw TensorError.badValue(
                tensor: "cal_labels", index: bad, value: "\(labels[bad])", expected: "a class in 0…\(p.classes - 1) (num_classes = \(p.classes))")
        }
        if let bad = d0.firstIndex(where: \.isNaN) ?? cal.firstIndex(where: \.isNaN) {
            throw TensorError.badValue(tensor: d0.contains(where: \.isNaN) ? "d_nearest" : "cal_d_nearest", index: bad, value: "nan", expected: "a distance")
        }
        var byClass = [[Double]](repeating: [], count: p.classes)
        for (i, label) in labels.enumerated() where calQ[i] > 0 { byClass[label].append(cal[i]) }
        for c in byClass.indices { byClass[c].sort() }
        var d = [Double](), perClass = [Double]()
        for x in d0 {
            let r = SDMCalibration.distance(x, sortedByClass: byClass, side: p.side)
            d.append(r.d)
            perClass += r.perClass
        }
        return [
            "d": lossTensor(d, shape: d0Shape, as: T.self),
            "d_per_class": lossTensor(perClass, shape: d0Shape + [p.classes], as: T.self),
        ]
    }
}

struct SDMRescaledSimilarityMethod: MethodImplementation {
    func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] {
        let (q, shape) = try invocation.real("q", as: Double.self)
        let (prediction, predictionShape) = try invocation.real("sdm_pred", as: Double.self)
        guard predictionShape == shape else {
            throw TensorError.shapeMismatch(
                tensor: "sdm_pred", shape: Tensor.describe(shape: predictionShape), expected: "the shape of q, \(Tensor.describe(shape: shape))")
        }
        if let bad = q.firstIndex(where: { !($0 >= 0) }) {
            throw TensorError.badValue(tensor: "q", index: bad, value: "\(q[bad])", expected: "a similarity ≥ 0")
        }
        return ["q_prime": lossTensor(zip(q, prediction).map { SDMCalibration.rescaledSimilarity(q: $0, prediction: $1) }, shape: shape, as: T.self)]
    }
}
