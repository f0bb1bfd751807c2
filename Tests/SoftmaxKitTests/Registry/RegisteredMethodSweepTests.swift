import SoftmaxKit
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every registered normalizer and activation, by being registered: the edge contract
/// on hostile rows, Float against Double, thread-count independence. A new method is tested here
/// without a line of its own.
@Suite struct RegisteredMethodSweepTests {
    static let registry = MethodRegistry.standard
    /// Every registered normalizer whose rows are distributions, plus `softmax` with each cheap
    /// exponential (`softmax[exp=NAME]`). Selections (0/1 rows) have tests of their own.
    static let normalizers =
        registry.methods.filter { $0.normalizer != nil && $0.outputScale != .selection }.map(\.id)
        + ExponentialChoice.allCases.filter { $0 != .exact }.map { "softmax[exp=\($0.rawValue)]" }
    static let activations = registry.methods.filter { $0.activation != nil }.map(\.id)
    /// The ones with an error bound (replacements have none).
    static let boundedNormalizers = normalizers.filter { variant in
        let (id, parameters) = parse(variant)
        if case let .string(name)? = parameters["exp"] { return ExponentialChoice(rawValue: name)?.accuracy.bound != nil }
        return registry.methods.first { $0.id == id }?.accuracy?.bound != nil
    }
    static let boundedActivations = registry.methods.filter { $0.activation != nil && $0.accuracy?.bound != nil }.map(\.id)

    /// `id` or `id[exp=NAME]` → the method and its parameters.
    static func parse(_ variant: String) -> (id: String, parameters: [String: ParameterValue]) {
        guard let open = variant.firstIndex(of: "[") else { return (variant, [:]) }
        let inner = variant[variant.index(after: open)..<variant.index(before: variant.endIndex)].split(separator: "=")
        return (String(variant[..<open]), [String(inner[0]): .string(String(inner[1]))])
    }

    func normalize<T: KernelScalar>(_ variant: String, _ rows: [[T]], threads: Int? = 1, mask: [[Bool]]? = nil) throws -> [[T]] {
        let (id, parameters) = Self.parse(variant)
        let m = try Self.registry.method(id)
        let n = try m.normalizer!(m.resolve(parameters))
        let cols = rows.first?.count ?? 0
        let x = rows.flatMap { $0 }
        var y = [T](repeating: -7, count: x.count)
        let flatMask = mask?.flatMap { $0 }
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                let out = MutableRowBatch(yb, rows: rows.count, cols: cols)
                if let flatMask {
                    try flatMask.withUnsafeBufferPointer { mb in
                        try n.normalize(
                            RowBatch(xb, rows: rows.count, cols: cols), into: out, mask: RowBatch(mb, rows: rows.count, cols: cols), threads: threads)
                    }
                } else {
                    try n.normalize(RowBatch(xb, rows: rows.count, cols: cols), into: out, mask: nil, threads: threads)
                }
            }
        }
        return (0..<rows.count).map { Array(y[($0 * cols)..<(($0 + 1) * cols)]) }
    }

    func isLog(_ variant: String) throws -> Bool { try Self.registry.method(Self.parse(variant).id).outputScale == .logProbability }

    /// The variant's declared accuracy budget: the method's, or its exponential's.
    func budget(_ variant: String) throws -> AccuracyBudget {
        let (id, parameters) = Self.parse(variant)
        if case let .string(name)? = parameters["exp"] { return try #require(ExponentialChoice(rawValue: name)).accuracy }
        return try #require(Self.registry.method(id).accuracy, "\(id) declares no accuracy budget")
    }

    @Test func everyNormalizerAndActivationDeclaresABudget() {
        for m in Self.registry.methods where m.role == .normalizer || m.role == .activation {
            #expect(m.accuracy != nil, "\(m.id)")
            #expect(m.accuracy == .exact || !m.isExact || m.isReplacement, "\(m.id): exact, so its budget is exact")
        }
    }

    /// Total variation of float32 rows from the float64 softmax, and the exact bound's relative
    /// error, over the test distributions at two row lengths: never above the declared budget.
    @Test(arguments: boundedNormalizers)
    func normalizerStaysWithinItsBudget(_ id: String) throws {
        let budget = try budget(id), logScale = try isLog(id)
        let bound = try #require(budget.bound)
        for (length, seed) in [(64, 1 as UInt64), (1000, 2)] {
            let named = TestRows.all(length, seed: seed, as: Float.self)
            let y = try normalize(id, named.map(\.1))
            for ((name, x), q) in zip(named, y) {
                let p = SoftmaxReference.softmax(x.map(Double.init))
                let weights = q.map { logScale ? exp(Double($0)) : Double($0) }
                if budget == .exact, logScale {
                    // Log-probabilities: the exact kernels' absolute bound, relative beyond 1.
                    var worst = 0.0
                    for (pk, qk) in zip(p, q) where pk > 0 {
                        let exact: Double = log(pk)
                        worst = max(worst, abs(Double(qk) - exact) / max(1, abs(exact)))
                    }
                    #expect(worst <= 1e-6, "\(id) on \(name) × \(length): log error \(worst)")
                } else if budget == .exact {
                    let worst = zip(p, weights).filter { $0.0 >= 1e-30 }.map { abs($1 - $0) / $0 }.max() ?? 0
                    #expect(worst <= 2e-6, "\(id) on \(name) × \(length): relative error \(worst)")
                } else {
                    let tv = zip(p, weights).map { abs($1 - $0) }.reduce(0, +) / 2
                    #expect(tv <= bound, "\(id) on \(name) × \(length): total variation \(tv) > \(budget)")
                }
            }
        }
    }

    @Test(arguments: normalizers)
    func normalizerSpecialRows(_ id: String) throws {
        let log = try isLog(id)
        let zero: Double = log ? -.infinity : 0
        let rows: [[Double]] = [
            [1, .nan, 2, 3],
            [1, .infinity, 2, .infinity],
            [-.infinity, -.infinity, -.infinity, -.infinity],
            [0.5, -.infinity, 2, -.infinity],
        ]
        let y = try normalize(id, rows)
        #expect(y[0].allSatisfy { $0.isNaN }, "\(id): NaN row")
        let half: Double = log ? -0.693_147_180_559_945_3 : 0.5
        #expect(abs(y[1][1] - half) < 1e-12 && abs(y[1][3] - half) < 1e-12 && y[1][0] == zero && y[1][2] == zero, "\(id): +∞ row \(y[1])")
        #expect(y[2].allSatisfy { $0 == zero }, "\(id): fully masked row \(y[2])")
        #expect(y[3][1] == zero && y[3][3] == zero, "\(id): −∞ entries \(y[3])")
        // Empty rows and length-1 rows.
        #expect(try normalize(id, [[Double](), []]) == [[], []])
        let one = try normalize(id, [[3.25], [-1e4]])
        let unit: Double = log ? 0 : 1
        // A quantized output tops out one step below 1 (I-BERT's 8 bits: 255/256).
        let lone = try budget(id).step
        #expect(one.allSatisfy { $0.count == 1 && abs($0[0] - unit) <= lone }, "\(id): length-1 rows \(one)")
    }

    @Test(arguments: normalizers)
    func normalizerHostileRowsStayDistributions(_ id: String) throws {
        let log = try isLog(id)
        var g = SplitMix64(seed: 5)
        let rows: [[Double]] = [
            (0..<64).map { _ in Double.random(in: 90...100, using: &g) },
            (0..<64).map { _ in Double.random(in: -1e4...1e4, using: &g) },
            (0..<64).map { _ in 30 * g.normal() },
            [Double](repeating: 2.5, count: 64),  // ties
        ]
        for y in try normalize(id, rows) {
            #expect(y.allSatisfy { !$0.isNaN && (log || ($0 >= 0 && $0 <= 1)) }, "\(id)")
            let total = log ? y.reduce(0) { $0 + exp($1) } : y.reduce(0, +)
            // Quantized outputs are floored: each loses less than a step.
            let slack = max(1e-9, Double(y.count) * (try budget(id).step))
            #expect(abs(total - 1) <= slack, "\(id): sums to \(total)")
        }
        let ties = try normalize(id, [rows[3]])[0]
        #expect(Set(ties).count == 1, "\(id): ties must get equal weights")
    }

    /// Finite scores up to the type's maximum give a distribution: no NaN, weights in [0, 1]
    /// summing to 1 (a shift-invariant method must shift before it subtracts).
    @Test(arguments: normalizers)
    func normalizerLargeMagnitudesStayDistributions(_ id: String) throws {
        let log = try isLog(id), slack = max(1e-6, 4 * (try budget(id).step))
        func check<T: KernelScalar>(_ rows: [[T]], _ type: String) throws {
            for (x, y) in zip(rows, try normalize(id, rows)) {
                let weights = y.map { log ? exp(Double($0)) : Double($0) }
                let total = weights.reduce(0, +)
                #expect(weights.allSatisfy { $0 >= 0 && $0 <= 1 } && abs(total - 1) <= slack, "\(id) (\(type)) on \(x): \(y)")
            }
        }
        let magnitudes: [[Double]] = [
            [1e15, 1e15 - 1e3, 0, 5, -1e15], [1e20, 1e20 - 1e6, 0, 5, 1e20], [1e38, 3e38, -3e38, 1, 2e38], [-1e30, -1e30, -2e30, -1e30, -3e30],
        ]
        try check(magnitudes, "float64")
        try check(magnitudes.map { $0.map { Float($0) } }, "float32")
        try check([[Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 0, 1]], "float64")
        try check([[Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, 0, 1]], "float32")
    }

    @Test(arguments: normalizers)
    func normalizerFloatAgreesWithDouble(_ id: String) throws {
        var g = SplitMix64(seed: 9)
        let rows: [[Double]] = (0..<6).map { r in (0..<200).map { _ in Double(Float(Double(r + 1) * g.normal())) } }
        let d = try normalize(id, rows)
        let f = try normalize(id, rows.map { $0.map { Float($0) } })
        let log = try isLog(id)
        for (rd, rf) in zip(d, f) {
            for (a, b) in zip(rd, rf) {
                let tolerance = 2e-5 * (log ? max(1, abs(a)) : max(abs(a), 1e-3))
                #expect(abs(a - Double(b)) <= tolerance, "\(id): \(a) vs \(b)")
            }
        }
    }

    @Test(arguments: normalizers)
    func normalizerResultsDoNotDependOnThreads(_ id: String) throws {
        var g = SplitMix64(seed: 13)
        let rows: [[Float]] = (0..<600).map { _ in (0..<300).map { _ in Float(2 * g.normal()) } }
        #expect(try normalize(id, rows, threads: 1) == normalize(id, rows, threads: 2))
    }

    @Test(arguments: normalizers)
    func normalizerNeverReadsMaskedPositions(_ id: String) throws {
        let y = try normalize(id, [[1, .nan, 2, .infinity]] as [[Double]], mask: [[true, false, true, false]])
        let zero: Double = try isLog(id) ? -.infinity : 0
        #expect(!y[0].contains { $0.isNaN } && y[0][1] == zero, "\(id): \(y[0])")
    }

    func activate<T: KernelScalar>(_ id: String, _ x: [T], cols: Int? = nil) throws -> [T] {
        let m = try Self.registry.method(id)
        let a = try m.activation!(m.resolve([:]))
        let c = cols ?? x.count
        var y = [T](repeating: -7, count: x.count)
        try x.withUnsafeBufferPointer { xb in
            try y.withUnsafeMutableBufferPointer { yb in
                try a.activate(RowBatch(xb, rows: x.count / max(c, 1), cols: c), into: MutableRowBatch(yb, rows: x.count / max(c, 1), cols: c), threads: 1)
            }
        }
        return y
    }

    @Test(arguments: activations)
    func activationSpecialValues(_ id: String) throws {
        #expect(try activate(id, [Double.nan, 1]).first!.isNaN, "\(id): NaN")
        #expect(try activate(id, [Double]()) == [])
        // A row-wise norm (PolyNorm): one ±∞ makes its row's scale infinite, so the ∞ itself
        // becomes ∞/∞ = NaN and the finite entries 0.
        let m = try Self.registry.method(id)
        let make = try #require(m.activation)
        if try make(m.resolve([:])).isRowWise {
            let y = try activate(id, [Double.infinity, 1], cols: 2)
            #expect(y[0].isNaN && y[1] == 0, "\(id): [+∞, 1] → \(y)")
            return
        }
        let y = try activate(id, [Double.infinity, -Double.infinity], cols: 1)
        #expect(y[0] == .infinity, "\(id): +∞ → \(y[0])")
        if try Self.registry.method(id).reference == .gelu || id.contains("silu") {
            #expect(y[1] == 0, "\(id): −∞ → \(y[1])")
        }
    }

    @Test(arguments: activations)
    func activationFloatAgreesWithDouble(_ id: String) throws {
        var g = SplitMix64(seed: 21)
        let x: [Double] = (0..<4096).map { _ in Double(Float(3 * g.normal())) }
        let d = try activate(id, x, cols: 64)
        let f = try activate(id, x.map { Float($0) }, cols: 64)
        for (a, b) in zip(d, f) { #expect(abs(a - Double(b)) <= 2e-5 * max(abs(a), 1e-2), "\(id): \(a) vs \(b)") }
    }

    /// Float32 outputs on a grid over [−30, 30] against the exact function in float64: never
    /// further than the declared budget (relative 2·10⁻⁶ for exact ones).
    @Test(arguments: boundedActivations)
    func activationStaysWithinItsBudget(_ id: String) throws {
        let m = try Self.registry.method(id)
        let budget = try #require(m.accuracy), reference = try #require(m.reference)
        let bound = try #require(budget.bound)
        let x: [Float] = (0...3840).map { Float(-30 + Double($0) / 64) }
        let exact = try activate(reference == .gelu ? "gelu" : "silu", x.map(Double.init))
        let y = try activate(id, x)
        for (k, (a, r)) in zip(y, exact).enumerated() {
            let allowed = budget == .exact ? 2e-6 * abs(r) + 1e-40 : bound
            #expect(abs(Double(a) - r) <= allowed, "\(id) at x = \(x[k]): \(a) vs \(r), budget \(budget)")
        }
    }
}
