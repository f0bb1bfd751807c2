import ArgumentParser
import Foundation
import SoftmaxAttention
import SoftmaxKit
import SoftmaxLab

/// `softmaxkit methods [--json]`: every registered method.
struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods", abstract: "List every registered method: role, parameters, inputs, outputs, citation.")

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    func run() throws {
        let methods = MethodRegistry.complete.methods
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(methods.map(MethodListing.init)), as: UTF8.self))
            return
        }
        for m in methods {
            print("\(m.id)  [\(m.role.rawValue), \(m.isExact ? "exact" : "approximate")]")
            print("    \(m.summary)")
            if !m.parameters.isEmpty {
                print("    parameters: " + m.parameters.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: ", "))
            }
            print(
                "    inputs: " + m.inputs.map { $0.isOptional ? "[\($0.name)]" : $0.name }.joined(separator: ", ")
                    + "   outputs: " + m.outputs.map(\.name).joined(separator: ", "))
            if let accuracy = m.accuracy, let reference = m.reference {
                print("    accuracy against \(reference.rawValue): \(accuracy)")
            }
            if let alias = m.alias {
                print(
                    "    alias of \(MethodVariant(alias.target, alias.parameters).label)"
                        + (alias.isBitIdentical ? " (the same bits)" : " (the same function, rounded differently)"))
            }
            if let options = AttentionCapabilities(m) { print("    options: " + options.summary) }
            print("    cite: \(m.citation)")
        }
    }
}

/// The JSON form of a registry entry.
struct MethodListing: Encodable {
    struct Parameter: Encodable {
        let name: String, kind: String, defaultValue: String, summary: String
        let choices: [String]?
        /// For numbers: the accepted closed range `[lower, upper]`.
        let range: [Double]?
        /// For numbers: the word that stands for the method's own choice (`auto`, `none`).
        let automatic: String?
        enum CodingKeys: String, CodingKey { case name, kind, defaultValue = "default", summary, choices, range, automatic }
    }
    struct TensorEntry: Encodable { let name: String, kind: String, summary: String, optional: Bool }

    let id: String, role: String, summary: String, exact: Bool, citation: String
    /// The declared accuracy budget against `reference`, as text (`exact`, `≤ 0.001`, `replacement`).
    let accuracy: String?, reference: String?
    let parameters: [Parameter], inputs: [TensorEntry], outputs: [TensorEntry]
    let attentionOptions: AttentionCapabilities?

    enum CodingKeys: String, CodingKey {
        case id, role, summary, exact, citation, accuracy, reference, parameters, inputs, outputs, attentionOptions = "attention_options"
    }

    init(_ m: MethodDescriptor) {
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
