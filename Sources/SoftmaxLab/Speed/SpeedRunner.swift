import SoftmaxKit

/// One benchmark case: a normalizer from the registry on `rows × cols` float32 elements.
public struct SpeedCase: Sendable {
    /// The normalizer's registry id.
    public var method: String
    /// Parameters given to it.
    public var parameters: [String: ParameterValue]
    /// Rows in the batch.
    public var rows: Int
    /// Elements per row.
    public var cols: Int
    /// Threads.
    public var threads: Int
    /// The cache level the batch was sized for, when it was.
    public var level: CacheLevel?

    /// A case for `method` with `parameters` on `rows × cols` elements.
    public init(method: String, parameters: [String: ParameterValue] = [:], rows: Int, cols: Int, threads: Int, level: CacheLevel? = nil) {
        self.method = method
        self.parameters = parameters
        self.rows = rows
        self.cols = cols
        self.threads = threads
        self.level = level
    }

    /// `softmax` or `softmax[algorithm=two-pass]`.
    public var label: String {
        parameters.isEmpty
            ? method
            : method + "[" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }
}

/// A measured case. Throughput counts 4 bytes read + 4 written per float32 element.
public struct SpeedResult: Sendable, Codable {
    /// The registry id.
    public var id: String
    /// The id with its parameters (`softmax[algorithm=two-pass]`).
    public var variant: String
    /// Rows in the batch.
    public var rows: Int
    /// Elements per row.
    public var cols: Int
    /// Threads.
    public var threads: Int
    /// The cache level the batch was sized for (`L1`, `L2`, `L3`, `memory`), or `custom`.
    public var level: String
    /// Median seconds per call.
    public var seconds: Double
    /// GB/s, counting 4 bytes read + 4 written per element.
    public var gbps: Double
    /// Elements per nanosecond.
    public var elementsPerNs: Double
    /// The copy bandwidth measured in the same run, plain stores, GB/s.
    public var copyGBps: Double
    /// The copy bandwidth measured in the same run, streaming stores, GB/s.
    public var copyStreamingGBps: Double
    /// `gbps` as a fraction of `copyGBps`.
    public var fractionOfCopy: Double
    /// The exact kernels' schedule for this batch (`SoftmaxSchedule`), for the exact normalizers.
    public var schedule: String?
    /// Whether that schedule writes with streaming stores (`SoftmaxSchedule.Plan.streamingStores`).
    public var streamingStores: Bool?

    enum CodingKeys: String, CodingKey {
        case id, variant, rows, cols, threads, level, seconds, gbps, schedule, streamingStores = "streaming_stores"
        case elementsPerNs = "elements_per_ns", copyGBps = "copy_gbps", copyStreamingGBps = "copy_nt_gbps"
        case fractionOfCopy = "fraction_of_copy"
    }
}

/// Times normalizers. Buffers are set up outside the timing; small cases repeat over the same
/// (cache-resident) buffers, large ones stream through ≥ 256 MiB.
public enum SpeedRunner {
    /// Median seconds of one application of `normalizer` to `rows × cols` elements.
    public static func seconds(_ normalizer: any Normalizer, rows: Int, cols: Int, threads: Int, repeats: Int) throws -> Double {
        let count = rows * cols
        let buffers = TimedBuffers(count: count)
        defer { buffers.deallocate() }
        let (x, y) = (buffers.x, buffers.y)
        var g = SeededGenerator(seed: 42)
        for i in 0..<count { x[i] = Float(4 * g.normal()) }
        y.initialize(repeating: 0, count: count)
        let input = RowBatch(base: UnsafePointer(x), rows: rows, cols: cols)
        let output = MutableRowBatch(base: y, rows: rows, cols: cols)
        // Enough inner repetitions that one sample moves ≥ 64 MiB (timer resolution, noise).
        let inner = max(1, min(100_000, (64 << 20) / max(count * 8, 1)))
        let total = try Timing.median(repeats: repeats) {
            for _ in 0..<inner { try normalizer.normalize(input, into: output, mask: nil, threads: threads) }
        }
        return total / Double(inner)
    }

    /// Runs one case against the registry and reports it against the measured bandwidth.
    public static func run(_ c: SpeedCase, registry: MethodRegistry = .standard, bandwidth: MemoryBandwidth, repeats: Int) throws -> SpeedResult {
        let method = try registry.method(c.method)
        guard let make = method.normalizer else { throw LabError.notANormalizer(c.method) }
        let normalizer = try make(method.resolve(c.parameters))
        let schedule = try (normalizer as? any ScheduledNormalizer)?.schedule(rows: c.rows, cols: c.cols, threads: c.threads)
        let s = try seconds(normalizer, rows: c.rows, cols: c.cols, threads: c.threads, repeats: repeats)
        let elements = Double(c.rows * c.cols)
        let gbps = elements * 8 / s / 1e9
        return SpeedResult(
            id: c.method, variant: c.label, rows: c.rows, cols: c.cols, threads: c.threads,
            level: c.level?.rawValue ?? "custom", seconds: s, gbps: gbps, elementsPerNs: elements / s / 1e9,
            copyGBps: bandwidth.copy, copyStreamingGBps: bandwidth.streamingCopy, fractionOfCopy: gbps / bandwidth.copy,
            schedule: schedule?.schedule.rawValue, streamingStores: schedule?.streamingStores)
    }

    /// The default sweep: rows of 128, 1024, 32768 and 49152 elements in L1, L2, L3 and memory.
    public static func defaultCases(methods: [(String, [String: ParameterValue])], threads: Int) -> [SpeedCase] {
        var cases: [SpeedCase] = []
        for cols in [128, 1024, 32768, 49152] {
            for level in CacheLevel.allCases {
                guard let rows = level.rows(cols: cols) else { continue }
                for (id, params) in methods {
                    cases.append(SpeedCase(method: id, parameters: params, rows: rows, cols: cols, threads: threads, level: level))
                }
            }
        }
        return cases
    }

    /// The variants the default sweep compares: every exact algorithm, and log-softmax.
    public static let defaultMethods: [(String, [String: ParameterValue])] =
        SoftmaxAlgorithm.allCases.map { ("softmax", ["algorithm": .string($0.rawValue)]) } + [("log-softmax", [:])]
}

/// Errors from lab runs.
public enum LabError: Error, Equatable, CustomStringConvertible {
    case notANormalizer(String)
    case notElementwise(String)
    case unknownWorkload(String, known: [String])

    /// The case as one line of the sweep's text table.
    public var description: String {
        switch self {
        case let .notANormalizer(id): "'\(id)' is not a normalizer; bench takes normalizer ids (see 'softmaxkit methods')"
        case let .notElementwise(id):
            "'\(id)' is neither a normalizer nor an element-wise method with a reference; the lab measures those (see 'softmaxkit methods')"
        case let .unknownWorkload(name, known): "unknown workload '\(name)'; the workloads are: \(known.joined(separator: ", "))"
        }
    }
}
