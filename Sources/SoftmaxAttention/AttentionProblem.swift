import SoftmaxKit

/// The inputs every attention engine takes, as row-major Float or Double buffers:
/// Q `[B, H, Nq, D]`, K `[B, Hkv, Nk, D]`, V `[B, Hkv, Nk, Dv]`, where `Hkv` divides `H`
/// (grouped-query attention; `Hkv = 1` is multi-query attention): query head `h` reads key/value
/// head `h / (H / Hkv)`.
public struct AttentionShape: Sendable, Equatable {
    public var batch: Int, heads: Int, kvHeads: Int
    public var queries: Int, keys: Int
    public var headDim: Int, valueDim: Int

    /// A shape; `kvHeads` defaults to `heads` (multi-head attention) and `valueDim` to `headDim`.
    public init(batch: Int = 1, heads: Int = 1, kvHeads: Int? = nil, queries: Int, keys: Int, headDim: Int, valueDim: Int? = nil) {
        self.batch = batch
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.queries = queries
        self.keys = keys
        self.headDim = headDim
        self.valueDim = valueDim ?? headDim
    }

    /// Elements of Q.
    public var queryCount: Int { batch * heads * queries * headDim }
    /// Elements of K.
    public var keyCount: Int { batch * kvHeads * keys * headDim }
    /// Elements of V.
    public var valueCount: Int { batch * kvHeads * keys * valueDim }
    /// Elements of the output.
    public var outputCount: Int { batch * heads * queries * valueDim }

    /// Checks the shape; every problem is an `AttentionError` naming the dimension.
    public func validate() throws {
        for (name, v) in [("batch", batch), ("heads", heads), ("kv heads", kvHeads), ("head dim", headDim), ("value dim", valueDim)] where v < 1 {
            throw AttentionError.badShape("\(name) must be ≥ 1, got \(v)")
        }
        if queries < 0 || keys < 0 { throw AttentionError.badShape("sequence lengths must be ≥ 0, got Nq = \(queries), Nk = \(keys)") }
        if heads % kvHeads != 0 { throw AttentionError.badShape("kv heads (\(kvHeads)) must divide heads (\(heads))") }
    }
}

/// Which query may see which key, beyond the keep-mask.
public enum CausalAlignment: String, Sendable, CaseIterable {
    /// Query `i` sees keys `j ≤ i` (training, Nq = Nk).
    case topLeft = "top-left"
    /// Query `i` sees keys `j ≤ i + Nk − Nq` (decoding: the last query sees every key).
    case bottomRight = "bottom-right"
}

/// Options shared by the engines. An engine that does not support an option set here throws
/// `AttentionError.unsupported` — never ignores it.
public struct AttentionOptions: Sendable {
    /// The factor on `q·k`; nil is `1/√D`.
    public var scale: Double?
    /// Causal masking and how queries align with keys, or nil for none.
    public var causal: CausalAlignment?
    /// Sliding window: query `i` (at its aligned position `i'`) sees keys `i' − left ≤ j ≤ i' + right`.
    public var window: (left: Int, right: Int)?
    /// Logit soft-capping `c·tanh(s/c)` (Gemma 2), applied after scaling and bias.
    public var softcap: Double?
    /// Threads (nil: the machine's active cores).
    public var threads: Int?

    /// Options; the defaults are plain attention with `1/√D` on all active cores.
    public init(
        scale: Double? = nil, causal: CausalAlignment? = nil, window: (left: Int, right: Int)? = nil,
        softcap: Double? = nil, threads: Int? = nil
    ) {
        self.scale = scale
        self.causal = causal
        self.window = window
        self.softcap = softcap
        self.threads = threads
    }

    /// The aligned position of query `i`: `i + Nk − Nq` with bottom-right alignment, else `i`
    /// (the window follows the causal alignment; without a causal mask it is top-left).
    @inline(__always)
    func alignedPosition(_ i: Int, _ shape: AttentionShape) -> Int {
        causal == .bottomRight ? i + shape.keys - shape.queries : i
    }

    /// The keys `lo..<hi` query `i` may see by the causal and window rules (the keep-mask aside).
    @inline(__always)
    func visibleKeys(_ i: Int, _ shape: AttentionShape) -> Range<Int> {
        let p = alignedPosition(i, shape)
        var lo = 0, hi = shape.keys
        if causal != nil { hi = min(hi, p + 1) }
        if let window {
            lo = max(lo, p - window.left)
            hi = min(hi, p + window.right + 1)
        }
        return lo..<max(lo, hi)
    }

    func validated(_ shape: AttentionShape) throws -> (scale: Double, options: AttentionOptions) {
        let s = scale ?? 1 / Double(shape.headDim).squareRoot()
        guard s.isFinite else { throw AttentionError.badOption("scale must be finite, got \(s)") }
        if let softcap, !(softcap > 0 && softcap.isFinite) { throw AttentionError.badOption("softcap must be finite and > 0, got \(softcap)") }
        if let window, window.left < 0 || window.right < 0 {
            throw AttentionError.badOption("window sizes must be ≥ 0, got (\(window.left), \(window.right))")
        }
        if let threads, threads < 1 { throw AttentionError.badOption("threads must be ≥ 1, got \(threads)") }
        return (s, self)
    }
}

/// A per-score tensor broadcast to `[B, H, Nq, Nk]`: the boolean keep-mask (true = visible) or
/// the additive bias. Each of its four dimensions is either the full size or 1 (a 2-d `[Nq, Nk]`
/// tensor is `[1, 1, Nq, Nk]`; key padding is `[B, 1, 1, Nk]`).
public struct ScoreBroadcast<Element>: @unchecked Sendable {
    /// The first element of the tensor.
    public let base: UnsafePointer<Element>
    let strides: (Int, Int, Int, Int)

    /// - Throws: `AttentionError.badShape` unless `dims` (1 … 4 of them) broadcast to the shape.
    public init(_ base: UnsafePointer<Element>, dims: [Int], for shape: AttentionShape, name: String = "mask") throws {
        guard (1...4).contains(dims.count) else { throw AttentionError.badShape("\(name) must have 1 to 4 dimensions, got \(dims.count)") }
        let full = [shape.batch, shape.heads, shape.queries, shape.keys]
        let d = Array(repeating: 1, count: 4 - dims.count) + dims
        for k in 0..<4 where d[k] != 1 && d[k] != full[k] {
            throw AttentionError.badShape("\(name) shape \(dims) does not broadcast to [B, H, Nq, Nk] = \(full)")
        }
        var s = [0, 0, 0, 0], step = 1
        for k in stride(from: 3, through: 0, by: -1) {
            s[k] = d[k] == 1 ? 0 : step
            step *= d[k]
        }
        self.base = base
        strides = (s[0], s[1], s[2], s[3])
    }

    /// The row of query `i` and the stride between its keys (0 when broadcast).
    @inline(__always)
    func row(batch b: Int, head h: Int, query i: Int) -> (UnsafePointer<Element>, Int) {
        (base + b * strides.0 + h * strides.1 + i * strides.2, strides.3)
    }
}

/// A keep-mask broadcast to the scores (true = visible).
public typealias AttentionMask = ScoreBroadcast<Bool>

/// Errors from attention engines, naming the dimension or option at fault.
public enum AttentionError: Error, Equatable, CustomStringConvertible {
    case badShape(String)
    case badOption(String)
    case unsupported(engine: String, option: String)
    /// An engine needs inputs an `AttentionEngine` call does not carry (landmarks, supports).
    case needsInputs(engine: String, inputs: [String])

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .badShape(s): "attention: \(s)"
        case let .badOption(s): "attention: \(s)"
        case let .unsupported(engine, option): "attention engine '\(engine)' does not support \(option)"
        case let .needsInputs(engine, inputs):
            "attention engine '\(engine)' needs inputs \(inputs.joined(separator: ", ")) that a call with Q, K and V cannot supply; call it through the registry with them"
        }
    }
}
