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
            print(try MethodListing.json(methods))
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
