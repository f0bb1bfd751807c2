import Foundation
import SoftmaxAttention
import SoftmaxKit

/// What to put in place of the encoder's own parts, by registry id, in every layer or in some:
/// the normalizer inside attention (default: exact softmax), the feed-forward activation
/// (default: the config's GELU), and the whole attention engine (default: exact attention).
public struct EncoderSwap: Sendable {
    /// One swapped part: its registry id and the instance built from it.
    public struct Part<Value: Sendable>: Sendable {
        /// The registry id.
        public let id: String
        /// The instance.
        public let value: Value
        /// The parameters given for it, for the label (`exp=poly3`).
        public var parameters: [String: ParameterValue] = [:]

        /// A part of the caller's own (a normalizer or engine not in the registry), labelled `id`.
        public init(id: String, value: Value, parameters: [String: ParameterValue] = [:]) {
            self.id = id
            self.value = value
            self.parameters = parameters
        }

        var label: String {
            parameters.isEmpty ? id : id + "[" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
        }
    }

    /// The normalizer inside attention (nil: exact softmax).
    public var normalizer: Part<any Normalizer>?
    /// The feed-forward activation (nil: the config's).
    public var activation: Part<any Activation>?
    /// An attention engine; it runs on each sequence's `[1, H, N, D]` (padding left out).
    public var attention: Part<any AttentionEngine>?
    /// The layers the swap applies to (nil: all).
    public var layers: Set<Int>?

    /// No swap: the exact encoder.
    public init() {}

    /// A swap from registry ids, parameters shared by the ids given (`exp=poly3`, `alpha=1.5`…),
    /// and a layer list such as `0,2-3` (default all). With `causal` (a decoder), the attention
    /// engine is made in its causal form: bottom-right aligned where it has one (queries are the
    /// last rows of the keys, as when decoding from a cache), else top-left (then only a pass from
    /// an empty cache is correct, and the decoder refuses the rest); an engine without a causal
    /// form is refused by name. Throws for unknown ids, ids of the wrong role, bad parameters or
    /// layers.
    public static func make(
        normalizer: String? = nil, activation: String? = nil, attention: String? = nil, parameters: [String: ParameterValue] = [:],
        layers: String? = nil, layerCount: Int, causal: Bool = false, registry: MethodRegistry = .complete
    ) throws -> EncoderSwap {
        var swap = EncoderSwap()
        // Every parameter given must belong to one of the swapped methods (as `call` refuses an
        // unknown name), never be dropped silently.
        let swapped = [normalizer, activation, attention].compactMap { $0 }
        var known = Set(["features", "seed"].filter { _ in attention != nil })
        for id in swapped { known.formUnion(try registry.method(id).parameters.map(\.name)) }
        if let unknown = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            let list = known.isEmpty ? "the methods swapped in take no parameters" : "they take \(known.sorted().joined(separator: ", "))"
            throw ModelError.setting("--param \(unknown): no swapped method (\(swapped.joined(separator: ", "))) has it; \(list)")
        }
        func resolve(_ id: String) throws -> (MethodDescriptor, ParameterValues, [String: ParameterValue]) {
            let m = try registry.method(id)
            let own = parameters.filter { name, _ in m.parameters.contains { $0.name == name } }
            return (m, try m.resolve(own), own)
        }
        if let id = normalizer {
            let (m, p, given) = try resolve(id)
            guard let make = m.normalizer else { throw ModelError.setting("--normalizer: '\(id)' is not a normalizer (see softmaxkit methods)") }
            swap.normalizer = Part(id: id, value: try make(p), parameters: given)
        }
        if let id = activation {
            let (m, p, given) = try resolve(id)
            guard let make = m.activation else { throw ModelError.setting("--activation: '\(id)' is not an element-wise activation") }
            swap.activation = Part(id: id, value: try make(p), parameters: given)
        }
        if let id = attention {
            let m = try registry.method(id)
            guard m.role == .attention else { throw ModelError.setting("--attention: '\(id)' is not an attention engine") }
            var own = parameters.filter { name, _ in m.parameters.contains { $0.name == name } || name == "features" || name == "seed" }
            if causal {
                let forms = AttentionCapabilities(m)?.causal ?? []
                guard let form = forms.contains("bottom-right") ? "bottom-right" : forms.first else {
                    let causalIds = registry.methods.filter { !(AttentionCapabilities($0)?.causal.isEmpty ?? true) }.map(\.id)
                    throw ModelError.setting(
                        "--attention: '\(id)' has no causal form, and a decoder needs one (causal engines: \(causalIds.joined(separator: ", ")))")
                }
                if own["causal"] != nil { throw ModelError.setting("--param causal: the decoder sets it (\(form))") }
                own["causal"] = .string(form)
            }
            do {
                swap.attention = Part(id: id, value: try registry.attentionEngine(id, parameters: own), parameters: own)
            } catch let error as AttentionError {
                throw ModelError.setting("--attention: \(error)")
            }
        }
        if let layers { swap.layers = try parseLayers(layers, count: layerCount) }
        return swap
    }

    /// `0,2-3` → {0, 2, 3}; every index must be a layer.
    public static func parseLayers(_ spec: String, count: Int) throws -> Set<Int> {
        var out = Set<Int>()
        for part in spec.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), let lo = bounds.first ?? nil, let hi = bounds.last ?? nil, lo <= hi, lo >= 0, hi < count else {
                throw ModelError.setting("--layers '\(spec)': give layer indices 0…\(count - 1) as a list like 0,2-3")
            }
            out.formUnion(lo...hi)
        }
        guard !out.isEmpty else { throw ModelError.setting("--layers '\(spec)' names no layer") }
        return out
    }

    func applies(to layer: Int) -> Bool { layers?.contains(layer) ?? true }

    /// A short description: `normalizer=stablemax activation=gelu-tanh layers=0,1`.
    public var label: String {
        var parts = [String]()
        if let n = normalizer { parts.append("normalizer=\(n.label)") }
        if let a = activation { parts.append("activation=\(a.label)") }
        if let e = attention { parts.append("attention=\(e.label)") }
        if let layers { parts.append("layers=\(layers.sorted().map(String.init).joined(separator: ","))") }
        return parts.isEmpty ? "exact" : parts.joined(separator: " ")
    }
}
