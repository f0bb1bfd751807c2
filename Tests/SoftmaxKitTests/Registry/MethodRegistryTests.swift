import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The registry: ids as the methods' definitions name them, validation, and every entry callable in both
/// precisions with results that match the kernels.
@Suite struct MethodRegistryTests {
    let registry = MethodRegistry.standard

    @Test func idsAreTheSpecNamesWithHyphens() {
        let ids = Set(registry.methods.map(\.id))
        let specIds = [
            "softmax", "log-softmax", "logsumexp", "masked-softmax", "two-pass-softmax", "online-softmax",
            "merge-softmax-states", "ext-exp", "xnn-exp-rr2-p5", "xnn-extexp-p5", "edge-moe-gelu-table",
            "edge-moe-gelu", "edge-moe-softmax", "puma-gelu", "puma-silu", "puma-exp-taylor", "puma-softmax",
            "stablemax-s", "stablemax", "log-stablemax", "poly-relu", "poly-norm", "ibert-exp-int",
            "ibert-softmax-int", "ibert-gelu-int", "ibert-exp-poly-float", "ibert-gelu-poly-float", "softermax",
            "sparsemax", "entmax15", "entmax-bisect", "gelu", "gelu-tanh", "gelu-sigmoid",
        ]
        #expect(Set(specIds).subtracting(ids).isEmpty, "missing: \(Set(specIds).subtracting(ids).sorted())")
        for m in registry.methods {
            #expect(m.id == m.id.lowercased() && !m.id.contains("_"))
            #expect(!m.citation.isEmpty && !m.summary.isEmpty && !m.outputs.isEmpty)
            #expect((m.role == .normalizer) == (m.normalizer != nil), "\(m.id)")
            if m.role == .activation { #expect(m.activation != nil, "\(m.id)") }
            if m.role == .normalizer || m.role == .activation { #expect(m.reference != nil, "\(m.id)") }
        }
    }

    /// An alias computes its target variant: the same bits, or (when it says so) the same function
    /// to float32 rounding.
    @Test func aliasesComputeTheirTargets() throws {
        let aliases = registry.methods.filter { $0.alias != nil }
        #expect(Set(aliases.map(\.id)) == ["two-pass-softmax", "online-softmax", "softermax"])
        var g = SplitMix64(seed: 17)
        let x = Tensor(shape: [6, 333], (0..<(6 * 333)).map { _ in Float(5 * g.normal()) })
        for m in aliases {
            let alias = try #require(m.alias)
            #expect(try registry.method(alias.target).normalizer != nil, "\(m.id)")
            let own = try #require(registry.call(m.id, inputs: ["x": x])["y"].float32)
            let target = try #require(registry.call(alias.target, inputs: ["x": x], parameters: alias.parameters)["y"].float32)
            if alias.isBitIdentical {
                #expect(own == target, "\(m.id)")
            } else {
                #expect(own != target, "\(m.id) computes the same bits: mark it bit-identical")
                // Each within float32 rounding of the same exact values.
                #expect(zip(own, target).allSatisfy { abs($0 - $1) <= 4e-6 * $1 + 1e-37 }, "\(m.id)")
            }
        }
    }

    @Test func mistypedIdsGetSuggestions() {
        #expect(registry.suggestions(for: "sofmax").first == "softmax")
        #expect(registry.suggestions(for: "two_pass_softmax").first == "two-pass-softmax")
        #expect(throws: RegistryError.self) { try registry.method("nope") }
    }

    @Test func parametersAreValidated() throws {
        let x = Tensor(shape: [3], [1, 2, 3] as [Float])
        #expect(throws: RegistryError.self) { try registry.call("softmax", inputs: ["x": x], parameters: ["temperature": .string("hot")]) }
        #expect(throws: RegistryError.self) { try registry.call("softmax", inputs: ["x": x], parameters: ["algorithm": .string("fast")]) }
        #expect(throws: RegistryError.self) { try registry.call("softmax", inputs: ["x": x], parameters: ["beta": .number(1)]) }
        #expect(throws: RegistryError.self) { try registry.call("masked-softmax", inputs: ["x": x]) }
        #expect(try ParameterValue(parsing: "[0.3, 0.7]") == .array([0.3, 0.7]))
        #expect(try ParameterValue(parsing: "true") == .boolean(true))
        #expect(try ParameterValue(parsing: "2e-3") == .number(0.002))
        #expect(try ParameterValue(parsing: "two-pass") == .string("two-pass"))
        #expect(throws: RegistryError.self) { try ParameterValue(parsing: "[1, x]") }
    }

    @Test func precisionFollowsTheInputs() throws {
        let f = try registry.call("softmax", inputs: ["x": Tensor(shape: [2], [0, 0] as [Float])])
        #expect(f["y"] == Tensor(shape: [2], [0.5, 0.5] as [Float]))
        let d = try registry.call("softmax", inputs: ["x": Tensor(shape: [2], [0, 0] as [Double])])
        #expect(d["y"] == Tensor(shape: [2], [0.5, 0.5] as [Double]))
        let h = try registry.call("softmax", inputs: ["x": Tensor(shape: [2], storage: .float16([0, 0]))])
        #expect(h["y"] == Tensor(shape: [2], storage: .float16([0.5, 0.5])))
        // float64 inputs are computed in float32 only on request (rounding); exact conversions always.
        let r = try registry.call("softmax", inputs: ["x": Tensor(shape: [1], [0.1] as [Double])], precision: .float32)
        #expect(r["y"]?.dtype == .float32)
        let ints = try registry.call("logsumexp", inputs: ["x": Tensor(shape: [2], storage: .int32([0, 0]))])
        #expect(ints["y"]?.dtype == .float32 && ints["y"]?.shape == [])
        #expect(throws: TensorError.self) {
            try registry.call("softmax", inputs: ["x": Tensor(shape: [1], storage: .int64([1 << 40 + 1]))])
        }
    }

    @Test func mergeAndExtendedExpMatchTheirDefinitions() throws {
        let out = try registry.call(
            "merge-softmax-states",
            inputs: [
                "m1": Tensor(shape: [3], [1, -.infinity, 2] as [Double]), "d1": Tensor(shape: [3], [2, 0, 1] as [Double]),
                "m2": Tensor(shape: [3], [3, 5, -.infinity] as [Double]), "d2": Tensor(shape: [3], [1, 4, 0] as [Double]),
            ])
        guard case let .float64(m)? = out["m"]?.storage, case let .float64(d)? = out["d"]?.storage else { Issue.record("dtype"); return }
        #expect(m == [3, 5, 2])
        #expect(abs(d[0] - (2 * exp(-2.0) + 1)) < 1e-15 && d[1] == 4 && d[2] == 1)

        let e = try registry.call("ext-exp", inputs: ["x": Tensor(shape: [2, 2], [0, 1, -100, 50] as [Float])])
        guard case let .float32(mant)? = e["m"]?.storage, case let .float32(n)? = e["n"]?.storage else { Issue.record("dtype"); return }
        #expect(n == [0, 1, -144, 72])
        let xs: [Double] = [0, 1, -100, 50]
        for i in 0..<4 {
            let reconstructed: Double = Double(log(mant[i])) + Double(n[i]) * M_LN2
            #expect(abs(reconstructed - xs[i]) < 1e-6 * max(1, abs(xs[i])))
        }
    }

    @Test func everyNormalizerMatchesTheSoftmaxKernel() throws {
        var g = SplitMix64(seed: 31)
        let x = (0..<(4 * 50)).map { _ in Float(3 * g.normal()) }
        let mask = (0..<(4 * 50)).map { _ in true }
        for m in registry.methods where m.role == .normalizer && m.isExact && !m.isReplacement {
            var inputs = [m.axisInputs.first { $0 != "mask" } ?? "x": Tensor(shape: [4, 50], x)]
            if m.inputs.contains(where: { $0.name == "mask" }) { inputs["mask"] = Tensor(shape: [4, 50], mask) }
            guard case let .float32(y)? = try registry.call(m.id, inputs: inputs)["y"]?.storage else {
                Issue.record("\(m.id): no float32 y")
                continue
            }
            for r in 0..<4 {
                let row = x[(r * 50)..<((r + 1) * 50)].map { Double($0) }
                let ref = m.outputScale == .logProbability ? SoftmaxReference.logSoftmax(row) : SoftmaxReference.softmax(row)
                for c in 0..<50 {
                    #expect(abs(Double(y[r * 50 + c]) - ref[c]) <= 2e-6 * max(abs(ref[c]), m.outputScale == .logProbability ? 1 : 0) + 1e-30, "\(m.id)")
                }
            }
        }
    }
    /// `stores=` reaches the exact kernels: streaming or plain, the same bytes as the default (a
    /// batch past any streaming threshold would take the same scratch path: `SoftmaxScheduleTests`);
    /// with a cheap exponential it is refused by name, as `schedule` is.
    @Test func storesChangeWhereBytesGoNotWhatTheyAre() throws {
        var g = SplitMix64(seed: 37)
        let x = Tensor(shape: [33, 1000], (0..<33_000).map { _ in Float(3 * g.normal()) })
        for id in ["softmax", "log-softmax"] {
            let plain = try registry.call(id, inputs: ["x": x], parameters: ["stores": .string("plain")])["y"]
            for stores in ["streaming", "auto"] {
                for schedule in ["rows-fused-pass3", "grouped-rows", "rows-fused-pass2"] {
                    let y = try registry.call(id, inputs: ["x": x], parameters: ["stores": .string(stores), "schedule": .string(schedule)])["y"]
                    #expect(y == plain, "\(id) stores=\(stores) schedule=\(schedule)")
                }
            }
        }
        #expect(throws: RegistryError.self) {
            _ = try registry.call("softmax", inputs: ["x": x], parameters: ["stores": .string("streaming"), "exp": .string("poly3")])
        }
        #expect(throws: RegistryError.self) { _ = try registry.call("softmax", inputs: ["x": x], parameters: ["stores": .string("fast")]) }
    }
}
