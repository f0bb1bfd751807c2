import SoftmaxAttention
import SoftmaxKit
import Testing

/// Every parameter of every registered method (the complete registry), by being registered:
/// unique names, defaults that pass their own validation, every choice and automatic word
/// accepted, out-of-range values, unknown choices and unknown names refused with the registry's
/// errors.
@Suite struct RegistryParametersTests {
    static let methods = MethodRegistry.complete.methods

    @Test(arguments: methods.map(\.id))
    func parametersAreWellDeclared(_ id: String) throws {
        let m = try MethodRegistry.complete.method(id)
        let names = m.parameters.map(\.name)
        #expect(Set(names).count == names.count, "\(id): duplicate parameter names \(names)")
        let defaults = try m.resolve([:])
        #expect(Set(defaults.values.keys) == Set(names), "\(id): every parameter gets its default")
        for spec in m.parameters {
            #expect(throws: Never.self, "\(id).\(spec.name): its default") { _ = try spec.validate(spec.defaultValue, method: id) }
            for choice in spec.choices {
                #expect(throws: Never.self, "\(id).\(spec.name) = \(choice)") { _ = try m.resolve([spec.name: .string(choice)]) }
            }
            if !spec.choices.isEmpty {
                #expect(throws: RegistryError.self, "\(id).\(spec.name): an unknown choice") { _ = try m.resolve([spec.name: .string("no-such-choice")]) }
            }
            if let word = spec.automatic {
                #expect(throws: Never.self, "\(id).\(spec.name) = \(word)") { _ = try m.resolve([spec.name: .string(word)]) }
            }
            if let range = spec.range, spec.kind == .number || spec.kind == .integer {
                let outside = range.upperBound < 1e300 ? range.upperBound * 2 + 1 : -Double.infinity
                #expect(throws: RegistryError.self, "\(id).\(spec.name) = \(outside)") { _ = try m.resolve([spec.name: .number(outside)]) }
                #expect(throws: RegistryError.self, "\(id).\(spec.name) = nan") { _ = try m.resolve([spec.name: .number(.nan)]) }
            }
        }
        #expect(throws: RegistryError.unknownParameter(method: id, name: "no_such_parameter", known: names)) {
            _ = try m.resolve(["no_such_parameter": .number(1)])
        }
    }
}
