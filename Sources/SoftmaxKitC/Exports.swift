import CSoftmaxKit
import Foundation
import SoftmaxAttention
import SoftmaxKit

// The functions of softmaxkit.h. Each checks its arguments, runs, and reports errors through
// `reportingErrors` (status code + this thread's message); none traps on caller input.

/// Every method: the core registry and the attention engines.
private let registry = MethodRegistry.complete

/// `sk_methods_json`'s string, made once (Swift initializes globals once, thread-safely) and
/// only read afterwards.
nonisolated(unsafe) private let methodsJSON: UnsafeMutablePointer<CChar> = strdup((try? MethodListing.json(registry.methods)) ?? "[]")!

/// `sk_describe`'s strings, one per method, made once.
nonisolated(unsafe) private let descriptions: [String: UnsafeMutablePointer<CChar>] = Dictionary(
    uniqueKeysWithValues: registry.methods.map { m in
        (m.id, strdup((try? MethodListing.json([m]).dropFirst().dropLast().trimmingCharacters(in: .whitespacesAndNewlines)) ?? "{}")!)
    })

/// Every method as JSON (`sk_methods_json` in softmaxkit.h).
@_cdecl("sk_methods_json")
public func skMethodsJSON() -> UnsafePointer<CChar> { UnsafePointer(methodsJSON) }

/// One method as JSON (`sk_describe`).
@_cdecl("sk_describe")
public func skDescribe(_ id: UnsafePointer<CChar>?, _ json: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 {
    reportingErrors {
        guard let id, let json else { throw ABIError.argument("sk_describe: id and json must not be null") }
        let name = String(cString: id)
        guard let text = descriptions[name] else { _ = try registry.method(name); return }
        json.pointee = UnsafePointer(text)
    }
}

/// Exact softmax or log-softmax along an axis (`sk_softmax`).
@_cdecl("sk_softmax")
public func skSoftmax(
    _ x: UnsafePointer<sk_tensor>?, _ out: UnsafePointer<sk_tensor>?, _ axis: Int64, _ temperature: Double, _ logSoftmax: Int32,
    _ threads: Int32
) -> Int32 {
    reportingErrors {
        let x = try StridedTensor(x, name: "x"), out = try StridedTensor(out, name: "out")
        let axis = try Tensor.resolveAxis(Int(clamping: axis), rank: x.rank, tensor: "x", shape: x.shape)
        let options = SoftmaxOptions(temperature: temperature, threads: threads > 0 ? Int(threads) : nil)
        try apply(ExactRows(log: logSoftmax != 0, options: options), x: x, out: out, mask: nil, axis: axis)
    }
}

/// `sk_softmax` on NumPy array interfaces (`sk_softmax_array_interface`).
@_cdecl("sk_softmax_array_interface")
public func skSoftmaxArrayInterface(
    _ x: UnsafePointer<sk_array_interface>?, _ out: UnsafePointer<sk_array_interface>?, _ axis: Int64, _ temperature: Double,
    _ logSoftmax: Int32, _ threads: Int32
) -> Int32 {
    reportingErrors {
        let options = SoftmaxOptions(temperature: temperature, threads: threads > 0 ? Int(threads) : nil)
        if let xi = x, let oi = out, try ContiguousSoftmax.softmax(xi.pointee, oi.pointee, axis: axis, log: logSoftmax != 0, options: options) {
            return
        }
        let x = try StridedTensor(x, name: "x", writeable: false), out = try StridedTensor(out, name: "out", writeable: true)
        let axis = try Tensor.resolveAxis(Int(clamping: axis), rank: x.rank, tensor: "x", shape: x.shape)
        try apply(ExactRows(log: logSoftmax != 0, options: options), x: x, out: out, mask: nil, axis: axis)
    }
}

/// logsumexp along an axis (`sk_logsumexp`).
@_cdecl("sk_logsumexp")
public func skLogSumExp(
    _ x: UnsafePointer<sk_tensor>?, _ out: UnsafePointer<sk_tensor>?, _ axis: Int64, _ temperature: Double, _ threads: Int32
) -> Int32 {
    reportingErrors {
        let x = try StridedTensor(x, name: "x"), out = try StridedTensor(out, name: "out")
        let axis = try Tensor.resolveAxis(Int(clamping: axis), rank: x.rank, tensor: "x", shape: x.shape)
        let options = SoftmaxOptions(temperature: temperature, threads: threads > 0 ? Int(threads) : nil)
        try logSumExp(x: x, out: out, axis: axis, options: options)
    }
}

/// Any registered normalizer along an axis (`sk_normalize`).
@_cdecl("sk_normalize")
public func skNormalize(
    _ id: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ x: UnsafePointer<sk_tensor>?, _ mask: UnsafePointer<sk_tensor>?,
    _ out: UnsafePointer<sk_tensor>?, _ axis: Int64, _ threads: Int32
) -> Int32 {
    reportingErrors {
        guard let id else { throw ABIError.argument("sk_normalize: id must not be null") }
        let method = try registry.method(String(cString: id))
        guard let make = method.normalizer else {
            throw ABIError.argument("'\(method.id)' is a \(method.role.rawValue), not a normalizer; call it with sk_call")
        }
        var given = try ParametersJSON.parse(params)
        given["axis"] = nil
        let normalizer = try make(try method.resolve(given))
        let x = try StridedTensor(x, name: "x"), out = try StridedTensor(out, name: "out")
        let maskTensor = try mask.map { try StridedTensor($0, name: "mask") }
        if maskTensor != nil, !method.inputs.contains(where: { $0.name == "mask" }) {
            throw ABIError.argument("'\(method.id)' takes no mask; masked rows are computed by masked-softmax")
        }
        let axis = try Tensor.resolveAxis(Int(clamping: axis), rank: x.rank, tensor: "x", shape: x.shape)
        try apply(NormalizerRows(normalizer: normalizer, threads: threads > 0 ? Int(threads) : nil), x: x, out: out, mask: maskTensor, axis: axis)
    }
}

/// Any registered method on named inputs (`sk_call`).
@_cdecl("sk_call")
public func skCall(
    _ id: UnsafePointer<CChar>?, _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ inputs: UnsafePointer<sk_tensor>?, _ count: Int32,
    _ params: UnsafePointer<CChar>?, _ result: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    skCallThreads(id, names, inputs, count, params, 0, result)
}

/// `sk_call` on at most `threads` threads (`sk_call_threads`; ≤ 0: all active cores).
@_cdecl("sk_call_threads")
public func skCallThreads(
    _ id: UnsafePointer<CChar>?, _ names: UnsafePointer<UnsafePointer<CChar>?>?, _ inputs: UnsafePointer<sk_tensor>?, _ count: Int32,
    _ params: UnsafePointer<CChar>?, _ threads: Int32, _ result: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
    reportingErrors {
        guard let id, let result else { throw ABIError.argument("sk_call: id and result must not be null") }
        result.pointee = nil
        guard count >= 0, count == 0 || (names != nil && inputs != nil) else {
            throw ABIError.argument("sk_call: \(count) inputs need non-null names and inputs arrays")
        }
        let method = try registry.method(String(cString: id))
        var tensors: [String: Tensor] = [:]
        for i in 0..<Int(count) {
            guard let name = names![i] else { throw ABIError.argument("sk_call: input name \(i) is null") }
            let n = String(cString: name)
            guard tensors[n] == nil else { throw ABIError.argument("sk_call: input '\(n)' is given twice") }
            tensors[n] = try StridedTensor(inputs! + i, name: n).tensor()
        }
        let parameters = try ParametersJSON.parse(params)
        let outputs = try RowParallel.withThreads(threads > 0 ? Int(threads) : nil) {
            try registry.call(method.id, inputs: tensors, parameters: parameters)
        }
        let box = CallResult(outputs, order: method.outputs.map(\.name))
        result.pointee = OpaquePointer(Unmanaged.passRetained(box).toOpaque())
    }
}

/// The number of outputs of a result (`sk_result_count`).
@_cdecl("sk_result_count")
public func skResultCount(_ result: OpaquePointer?) -> Int32 {
    guard let result else { return 0 }
    return Int32(Unmanaged<CallResult>.fromOpaque(UnsafeRawPointer(result)).takeUnretainedValue().outputs.count)
}

/// One output's name, dtype and shape (`sk_result_output`).
@_cdecl("sk_result_output")
public func skResultOutput(
    _ result: OpaquePointer?, _ index: Int32, _ name: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ dtype: UnsafeMutablePointer<Int32>?,
    _ ndim: UnsafeMutablePointer<Int32>?, _ shape: UnsafeMutablePointer<UnsafePointer<Int64>?>?
) -> Int32 {
    reportingErrors {
        guard let result else { throw ABIError.argument("sk_result_output: result is null") }
        let outputs = Unmanaged<CallResult>.fromOpaque(UnsafeRawPointer(result)).takeUnretainedValue().outputs
        guard index >= 0 && Int(index) < outputs.count else {
            throw ABIError.argument("sk_result_output: index \(index) out of range; the result has \(outputs.count) outputs")
        }
        let o = outputs[Int(index)]
        name?.pointee = UnsafePointer(o.name)
        dtype?.pointee = o.tensor.dtype.abiCode
        ndim?.pointee = Int32(o.tensor.rank)
        shape?.pointee = UnsafePointer(o.shape)
    }
}

/// Copies an output into a caller's tensor (`sk_result_copy`).
@_cdecl("sk_result_copy")
public func skResultCopy(_ result: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ out: UnsafePointer<sk_tensor>?) -> Int32 {
    reportingErrors {
        guard let result, let name else { throw ABIError.argument("sk_result_copy: result and name must not be null") }
        let box = Unmanaged<CallResult>.fromOpaque(UnsafeRawPointer(result)).takeUnretainedValue()
        let n = String(cString: name)
        try StridedTensor(out, name: "out").store(try box.output(named: n), name: n)
    }
}

/// Frees a result (`sk_result_free`).
@_cdecl("sk_result_free")
public func skResultFree(_ result: OpaquePointer?) {
    guard let result else { return }
    Unmanaged<CallResult>.fromOpaque(UnsafeRawPointer(result)).release()
}

/// Exact softmax or log-softmax (the automatic algorithm): rows, or `ColumnSoftmax` along a
/// non-last axis, as the registry's `softmax` and `log-softmax` compute them.
struct ExactRows: RowOperation, ColumnNormalizer {
    let log: Bool
    let options: SoftmaxOptions

    var threads: Int? { options.threads }
    var runsAlongColumns: Bool { true }

    func run<T: KernelScalar>(_ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>?) throws {
        if log {
            try ExactSoftmax.logSoftmax(x, into: y, mask: mask, options: options)
        } else {
            try ExactSoftmax.softmax(x, into: y, mask: mask, options: options)
        }
    }

    func normalize(_ x: RowBatch<Float>, into y: MutableRowBatch<Float>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try run(x, into: y, mask: mask)
    }
    func normalize(_ x: RowBatch<Double>, into y: MutableRowBatch<Double>, mask: RowBatch<Bool>?, threads: Int?) throws {
        try run(x, into: y, mask: mask)
    }
    func normalizeColumns(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, block: AxisBlock, threads: Int?) throws {
        try ColumnSoftmax.run(x, into: y, outer: block.outer, count: block.count, inner: block.inner, log: log, options: options)
    }
    func normalizeColumns(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, block: AxisBlock, threads: Int?) throws {
        try ColumnSoftmax.run(x, into: y, outer: block.outer, count: block.count, inner: block.inner, log: log, options: options)
    }
}

/// A registered normalizer's rows (or columns, where it runs along them).
struct NormalizerRows: RowOperation {
    let normalizer: any Normalizer
    let threads: Int?

    func run<T: KernelScalar>(_ x: RowBatch<T>, into y: MutableRowBatch<T>, mask: RowBatch<Bool>?) throws {
        try normalizer.normalize(x, into: y, mask: mask, threads: threads)
    }

    func columns(for block: AxisBlock, masked: Bool) -> (any ColumnNormalizer)? { normalizer.columns(for: block, masked: masked) }
}
