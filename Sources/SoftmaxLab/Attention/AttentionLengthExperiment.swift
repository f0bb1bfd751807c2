import Foundation
import SoftmaxAttention
import SoftmaxKit

/// Error versus sequence length of the approximate attentions: for each engine and N, the relative
/// Frobenius error ‖out − exact‖/‖exact‖ against exact softmax attention (the tiled float32
/// engine) and the time, on Gaussian Q, K, V (one head, D = 64) or on recorded Q/K/V.
///
/// Budgets are matched the way the Scatterbrain paper compares methods: Performer with 256
/// features; Scatterbrain with a 64-key local window plus 128 hyperbolic (= 256) features; local
/// attention alone with the same 64-key window; Nyströmformer with 64 landmarks. Replacements
/// (linear, sigmoid, SOFT) are a different operator: their figure is a distance, flagged as such.
public struct AttentionLengthExperiment: Sendable {
    /// An attention engine as the experiment runs it.
    public struct Engine: Sendable {
        /// The label of its rows.
        public var label: String
        /// The registry id.
        public var id: String
        /// Its parameters.
        public var parameters: [String: ParameterValue]
        /// Extra inputs: "W" (orthogonal features, this many rows) and/or "L" (SOFT landmarks).
        public var features: Int?
        /// Whether it takes SOFT's landmark input `L`.
        public var landmarks: Bool
        /// True for replacements: their figure is a distance from softmax attention, not an error.
        public var replacement: Bool
    }

    /// One measurement: an engine on one workload at one length.
    public struct Point: Codable, Sendable {
        /// The engine's label.
        public var engine: String
        /// The registry id.
        public var id: String
        /// The workload (`gaussian`, or a recorded layer).
        public var workload: String
        /// Sequence length.
        public var n: Int
        /// Relative Frobenius error against exact attention.
        public var relativeError: Double
        /// Seconds of one call.
        public var seconds: Double
        /// Seconds of one call of the exact engine on the same input.
        public var exactSeconds: Double
        /// True for replacements (the error is a distance).
        public var replacement: Bool

        enum CodingKeys: String, CodingKey {
            case engine, id, workload, n, relativeError = "relative_error", seconds, exactSeconds = "exact_seconds", replacement
        }
    }

    /// Sequence lengths of the Gaussian workload.
    public var lengths = [128, 256, 512, 1024, 2048, 4096]
    /// Head dimension of the Gaussian workload.
    public var headDim = 64
    /// The engines to run.
    public var engines: [Engine] = AttentionLengthExperiment.defaultEngines
    /// Recorded `(name, Q, K, V)` as 2-d float tensors (one head).
    public var recorded: [(name: String, q: Tensor, k: Tensor, v: Tensor)] = []

    /// The default experiment: every default engine at lengths 128 … 4096, D = 64.
    public init() {}

    /// Performer, Scatterbrain, local window, Nyströmformer, Edge-MoE's single pass and the replacements, at the budgets the class doc names.
    public static let defaultEngines: [Engine] = [
        Engine(label: "performer (r=256)", id: "performer-attention", parameters: [:], features: 256, landmarks: false, replacement: false),
        Engine(
            label: "scatterbrain (w=64, r=128×2)", id: "scatterbrain-attention", parameters: ["window": .number(64)], features: 128,
            landmarks: false, replacement: false),
        Engine(
            label: "local window (w=64)", id: "attention", parameters: ["window_left": .number(32), "window_right": .number(31)],
            features: nil, landmarks: false, replacement: false),
        Engine(label: "nystrom (m=64)", id: "nystrom-attention", parameters: ["landmarks": .number(64)], features: nil, landmarks: false, replacement: false),
        Engine(label: "edge-moe", id: "edge-moe-attention", parameters: [:], features: nil, landmarks: false, replacement: false),
        Engine(label: "linear (elu+1)", id: "linear-attention", parameters: [:], features: nil, landmarks: false, replacement: true),
        Engine(label: "sigmoid (b=−log n)", id: "sigmoid-attention", parameters: [:], features: nil, landmarks: false, replacement: true),
        Engine(label: "soft (ratio 8)", id: "soft-attention", parameters: [:], features: nil, landmarks: true, replacement: true),
    ]

    /// Runs every engine at every length; `progress` receives one line per measurement.
    public func run(registry: MethodRegistry = .complete, progress: (String) -> Void) throws -> [Point] {
        var cases: [(workload: String, q: Tensor, k: Tensor, v: Tensor)] = []
        for n in lengths {
            cases.append(("gaussian", Self.gaussian(n, headDim, seed: 1), Self.gaussian(n, headDim, seed: 2), Self.gaussian(n, headDim, seed: 3)))
        }
        for r in recorded { cases.append(("recorded " + r.name, r.q, r.k, r.v)) }
        var points: [Point] = []
        for c in cases {
            let n = c.q.shape[0], d = c.q.shape[1]
            progress("attention error: \(c.workload) N = \(n)")
            let inputs = ["Q": c.q, "K": c.k, "V": c.v]
            var exact: [String: Tensor] = [:]
            let exactSeconds = try Self.time { exact = try registry.call("attention", inputs: inputs) }
            let reference = Self.floats(exact["out"])
            for e in engines {
                var given = inputs
                if let r = e.features {
                    given["W"] = Tensor(shape: [r, d], OrthogonalFeatures.draw(features: r, dim: d, seed: 7).map { Float($0) })
                }
                if e.landmarks {
                    given = ["Q": c.q, "V": c.v]
                    given["L"] = try registry.call("soft-landmarks-avgpool", inputs: ["Q": c.q], parameters: ["ratio": .number(8)])["L"]
                }
                var out: [String: Tensor] = [:]
                let seconds = try Self.time { out = try registry.call(e.id, inputs: given, parameters: e.parameters) }
                let y = Self.floats(out["out"])
                var num = 0.0, den = 0.0
                for (a, b) in zip(y, reference) { num += (a - b) * (a - b); den += b * b }
                points.append(
                    Point(
                        engine: e.label, id: e.id, workload: c.workload, n: n, relativeError: (num / max(den, 1e-300)).squareRoot(),
                        seconds: seconds, exactSeconds: exactSeconds, replacement: e.replacement))
            }
        }
        return points
    }

    static func gaussian(_ n: Int, _ d: Int, seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [n, d], (0..<(n * d)).map { _ in Float(g.normal()) })
    }

    static func floats(_ t: Tensor?) -> [Double] {
        switch t?.storage {
        case let .float32(v)?: v.map(Double.init)
        case let .float64(v)?: v
        default: []
        }
    }

    /// Seconds of one run (the median of three for runs under 50 ms).
    static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        let once = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return once < 0.05 ? try Timing.median(repeats: 3, body) : once
    }
}
