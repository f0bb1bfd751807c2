import Foundation
import SoftmaxKit

/// The JSON form of a registry entry, as `softmaxkit methods --json` and the C library's
/// `sk_methods_json` print it: id, role, summary, parameters (kind, default, range, choices),
/// inputs, outputs, accuracy budget, citation and, for attention engines, the options they take.
public struct MethodListing: Encodable, Sendable {
    /// One parameter: name, kind, default (as text), summary and its accepted values.
    public struct Parameter: Encodable, Sendable {
        let name: String, kind: String, defaultValue: String, summary: String
        let choices: [String]?
        /// For numbers: the accepted closed range `[lower, upper]`.
        let range: [Double]?
        /// For numbers: the word that stands for the method's own choice (`auto`, `none`).
        let automatic: String?
        enum CodingKeys: String, CodingKey { case name, kind, defaultValue = "default", summary, choices, range, automatic }
    }
    /// One input or output: name, element kind, summary, whether it may be left out.
    public struct TensorEntry: Encodable, Sendable { let name: String, kind: String, summary: String, optional: Bool }

    let id: String, role: String, summary: String, exact: Bool, citation: String
    /// The declared accuracy budget against `reference`, as text (`exact`, `≤ 0.001`, `replacement`).
    let accuracy: String?, reference: String?
    let parameters: [Parameter], inputs: [TensorEntry], outputs: [TensorEntry]
    let attentionOptions: AttentionCapabilities?

    enum CodingKeys: String, CodingKey {
        case id, role, summary, exact, citation, accuracy, reference, parameters, inputs, outputs, attentionOptions = "attention_options"
    }

    /// The listing of one entry.
    public init(_ m: MethodDescriptor) {
        id = m.id
        role = m.role.rawValue
        summary = m.summary
        exact = m.isExact
        citation = m.citation
        accuracy = m.accuracy.map(\.description)
        reference = m.reference?.rawValue
        parameters = m.parameters.map {
            Parameter(
                name: $0.name, kind: $0.kind.rawValue, defaultValue: $0.defaultValue.description, summary: $0.summary,
                choices: $0.choices.isEmpty ? nil : $0.choices, range: $0.range.map { [$0.lowerBound, $0.upperBound] },
                automatic: $0.automatic)
        }
        inputs = m.inputs.map { TensorEntry(name: $0.name, kind: $0.kind.rawValue, summary: $0.summary, optional: $0.isOptional) }
        outputs = m.outputs.map { TensorEntry(name: $0.name, kind: $0.kind.rawValue, summary: $0.summary, optional: $0.isOptional) }
        attentionOptions = AttentionCapabilities(m)
    }
}

extension MethodListing {
    /// `methods` as a pretty-printed JSON array with sorted keys.
    public static func json(_ methods: [MethodDescriptor]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(methods.map(MethodListing.init)), as: UTF8.self)
    }
}
