import SoftmaxKit
import Testing

/// Typed parameters: the specs derived from the declarations, defaults read off `init()`, values
/// decoded into the typed fields, the automatic words, and the further checks.
@Suite struct MethodParametersTests {
    enum Shape: String, CaseIterable, Sendable { case round, square }

    struct Example: MethodParameters {
        var alpha = 1.5
        var scale: Double?
        var steps = 3
        var window: Int? = 4
        var flag = false
        var shape = Shape.round
        var causal: Shape?
        var weights = [0.5, 0.5]
        var id = "softmax"

        static let declarations: [ParameterDeclaration<Self>] = [
            .number("alpha", \.alpha, "α > 1", range: -10...10, check: { $0 > 1 ? nil : "must be > 1" }),
            .optionalNumber("scale", \.scale, "a factor, or auto", range: -1...1, automatic: "auto"),
            .integer("steps", \.steps, "steps", range: 0...9),
            .optionalInteger("window", \.window, "keys, or none", range: 0...100, automatic: "none"),
            .boolean("flag", \.flag, "a flag"),
            .choice("shape", \.shape, "round or square"),
            .optionalChoice("causal", \.causal, "none, round or square", none: "none"),
            .array("weights", \.weights, "weights summing to 1", check: { abs($0.reduce(0, +) - 1) < 1e-12 ? nil : "must sum to 1" }),
            .text("id", \.id, "an id"),
        ]
    }

    func method() -> MethodDescriptor {
        MethodDescriptor(
            id: "example", role: .primitive, summary: "", parameters: Example.specs, inputs: [], outputs: [], isExact: true,
            citation: "", implementation: Nothing())
    }

    struct Nothing: MethodImplementation {
        func run<T: KernelScalar>(_ invocation: MethodInvocation, as: T.Type) throws -> [String: Tensor] { [:] }
    }

    @Test func specsAndDefaultsAreDerived() throws {
        let specs = Example.specs
        #expect(specs.map(\.name) == ["alpha", "scale", "steps", "window", "flag", "shape", "causal", "weights", "id"])
        #expect(
            specs.map(\.defaultValue) == [
                .number(1.5), .string("auto"), .number(3), .number(4), .boolean(false), .string("round"),
                .string("none"), .array([0.5, 0.5]), .string("softmax"),
            ])
        #expect(specs[5].choices == ["round", "square"] && specs[6].choices == ["none", "round", "square"])
        let defaults = Example(try method().resolve([:]))
        #expect(defaults.alpha == 1.5 && defaults.scale == nil && defaults.window == 4 && defaults.causal == nil && defaults.id == "softmax")
    }

    @Test func valuesAreDecodedIntoTheFields() throws {
        let p = Example(
            try method().resolve([
                "alpha": .number(2), "scale": .number(0.25), "steps": .number(7), "window": .string("none"), "flag": .boolean(true),
                "shape": .string("square"), "causal": .string("round"), "weights": .array([0.25, 0.75]), "id": .string("stablemax"),
            ]))
        #expect(p.alpha == 2 && p.scale == 0.25 && p.steps == 7 && p.window == nil && p.flag && p.shape == .square && p.causal == .round)
        #expect(p.weights == [0.25, 0.75] && p.id == "stablemax")
        #expect(Example(try method().resolve(["scale": .string("auto")])).scale == nil)
    }

    @Test func badValuesAreRefused() {
        for (name, value) in [
            ("alpha", ParameterValue.number(0.5)), ("alpha", .number(11)), ("scale", .string("automatic")), ("steps", .number(2.5)),
            ("window", .string("auto")), ("shape", .string("oval")), ("causal", .string("auto")), ("weights", .array([0.3])),
            ("flag", .number(1)),
        ] {
            #expect(throws: RegistryError.self, "\(name) = \(value)") { _ = try method().resolve([name: value]) }
        }
    }
}
