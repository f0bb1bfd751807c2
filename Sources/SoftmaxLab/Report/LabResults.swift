import Foundation
import SoftmaxKit

/// The lab's results as one self-describing JSON document (schema versioned): what `accuracy`
/// and the main job write, and what `report` reads and merges (several documents, e.g. shards of
/// a sweep, merge by concatenating their entries).
public struct LabResults: Codable, Sendable {
    /// The schema version this build writes and reads.
    public static let currentSchema = 1

    /// The document's schema version.
    public var schemaVersion = LabResults.currentSchema
    /// Identifies the document as the lab's results.
    public var kind = "softmaxkit-lab"
    /// When the run finished, ISO 8601 UTC.
    public var created: String
    /// The machine the run measured.
    public var machine: Machine
    /// What the run measured.
    public var settings: Settings
    /// Every registered method, as the report lists it.
    public var methods: [MethodInfo]
    /// Accuracy and speed of each distribution-valued variant.
    public var normalizers: [NormalizerEntry]
    /// Accuracy and speed of each element-wise variant.
    public var elementwise: [ElementwiseEntry]
    /// The attention error-versus-length experiment, when run.
    public var attention: [AttentionLengthExperiment.Point]?

    /// A results document.
    public init(
        created: String, machine: Machine, settings: Settings, methods: [MethodInfo], normalizers: [NormalizerEntry],
        elementwise: [ElementwiseEntry], attention: [AttentionLengthExperiment.Point]? = nil
    ) {
        self.created = created
        self.machine = machine
        self.settings = settings
        self.methods = methods
        self.normalizers = normalizers
        self.elementwise = elementwise
        self.attention = attention
    }

    /// The machine a run measured.
    public struct Machine: Codable, Sendable {
        /// Active cores.
        public var cores: Int
        /// Copy bandwidth with plain stores, GB/s.
        public var copyGBps: Double
        /// Copy bandwidth with streaming stores, GB/s.
        public var copyStreamingGBps: Double
        /// Whether the build has fused multiply-add.
        public var fusedMultiplyAdd: Bool

        /// A machine description.
        public init(cores: Int, copyGBps: Double, copyStreamingGBps: Double, fusedMultiplyAdd: Bool) {
            (self.cores, self.copyGBps, self.copyStreamingGBps, self.fusedMultiplyAdd) = (cores, copyGBps, copyStreamingGBps, fusedMultiplyAdd)
        }

        enum CodingKeys: String, CodingKey {
            case cores, copyGBps = "copy_gbps", copyStreamingGBps = "copy_nt_gbps", fusedMultiplyAdd = "fma"
        }
    }

    /// What a run measured.
    public struct Settings: Codable, Sendable {
        /// Row lengths of the logit workloads.
        public var lengths: [Int]
        /// Elements per (workload, length) case.
        public var elementsPerCase: Int
        /// Names of the logit workloads.
        public var logitWorkloads: [String]
        /// `[rows, cols]` of the speed measurement.
        public var speedShape: [Int]
        /// Threads of the speed measurement.
        public var threads: Int

        /// The settings of a run.
        public init(lengths: [Int], elementsPerCase: Int, logitWorkloads: [String], speedShape: [Int], threads: Int) {
            (self.lengths, self.elementsPerCase, self.logitWorkloads, self.speedShape, self.threads) = (
                lengths, elementsPerCase, logitWorkloads, speedShape, threads
            )
        }

        enum CodingKeys: String, CodingKey {
            case lengths, elementsPerCase = "elements_per_case", logitWorkloads = "logit_workloads", speedShape = "speed_shape", threads
        }
    }

    /// A registry entry as the report lists it.
    public struct MethodInfo: Codable, Sendable {
        public var id, role, summary, citation: String
        /// Whether the method computes its reference function exactly (up to rounding).
        public var exact: Bool
        /// Whether the method replaces softmax rather than approximating it.
        public var replacement: Bool
        /// The function an element-wise method is measured against, if any.
        public var reference: String?
        /// Its parameters as `name=default`.
        public var parameters: [String]

        /// The entry of `m`.
        public init(_ m: MethodDescriptor) {
            id = m.id
            role = m.role.rawValue
            summary = m.summary
            citation = m.citation
            exact = m.isExact
            replacement = m.isReplacement
            reference = m.reference?.rawValue
            parameters = m.parameters.map { "\($0.name)=\($0.defaultValue)" }
        }
    }

    /// The results of one distribution-valued variant.
    public struct NormalizerEntry: Codable, Sendable {
        /// The id with its parameters.
        public var variant: String
        /// The registry id.
        public var id: String
        /// True when the method is not meant to equal softmax: the metrics are its distance.
        public var replacement: Bool
        /// Metrics over every workload together.
        public var overall: DistributionMetrics
        /// Metrics per workload.
        public var workloads: [String: DistributionMetrics]
        /// Throughput, when timed.
        public var speed: Throughput.Point?
    }

    /// The results of one element-wise variant.
    public struct ElementwiseEntry: Codable, Sendable {
        /// The id with its parameters.
        public var variant: String
        /// The registry id.
        public var id: String
        /// The reference function's id (`gelu`, `silu`, `exp`).
        public var reference: String
        /// Whether the method replaces its reference rather than approximating it.
        public var replacement: Bool
        /// Metrics over every workload together.
        public var overall: ElementwiseMetrics
        /// Metrics per workload.
        public var workloads: [String: ElementwiseMetrics]
        /// Throughput, when timed.
        public var speed: Throughput.Point?
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, created, machine, settings, methods, normalizers, elementwise, attention
    }

    /// The document as pretty-printed JSON with sorted keys; non-finite figures as `"inf"`, `"-inf"`, `"nan"`.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Writes the document atomically (temporary file, then rename).
    public func write(to path: String) throws { try AtomicFile.write(try encoded(), to: path) }

    /// Reads a document, checking its kind and schema version.
    public static func read(_ path: String) throws -> LabResults {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ReportError.unreadable(path, (error as NSError).localizedDescription)
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let results: LabResults
        do { results = try decoder.decode(LabResults.self, from: data) } catch {
            throw ReportError.notLabResults(path, String(describing: error))
        }
        guard results.schemaVersion == currentSchema else { throw ReportError.schema(path, results.schemaVersion) }
        return results
    }

    /// Documents merged: entries concatenated (a later document's variant replaces an earlier one's).
    public static func merged(_ documents: [LabResults]) -> LabResults? {
        guard var result = documents.first else { return nil }
        for d in documents.dropFirst() {
            for m in d.methods where !result.methods.contains(where: { $0.id == m.id }) { result.methods.append(m) }
            for e in d.normalizers {
                result.normalizers.removeAll { $0.variant == e.variant }
                result.normalizers.append(e)
            }
            for e in d.elementwise {
                result.elementwise.removeAll { $0.variant == e.variant }
                result.elementwise.append(e)
            }
            if let points = d.attention { result.attention = points }
        }
        return result
    }
}

/// Errors reading results for the report.
public enum ReportError: Error, CustomStringConvertible {
    case unreadable(String, String)
    case unwritable(String, String)
    case notLabResults(String, String)
    case schema(String, Int)
    case noResults(String)
    /// The results in a folder are not a complete set: what is missing or unreadable.
    case incomplete(String, [String])
    /// Shards of one kind that come from different runs: the kind, and how they differ.
    case mismatchedShards(String, String)

    /// The error as one line naming the file.
    public var description: String {
        switch self {
        case let .unreadable(path, why): "\(path): cannot read: \(why)"
        case let .unwritable(path, why): "\(path): cannot write: \(why)"
        case let .notLabResults(path, why): "\(path): not a SoftmaxKit results document (\(why))"
        case let .schema(path, v): "\(path): schema version \(v); this softmaxkit reads version \(LabResults.currentSchema)"
        case let .noResults(folder): "no results JSON in \(folder); run 'softmaxkit accuracy --output \(folder)' first"
        case let .incomplete(folder, problems):
            "\(folder) holds an incomplete set of results: \(problems.joined(separator: "; ")); run what is missing, or pass --allow-partial"
        case let .mismatchedShards(kind, how):
            "the \(kind) shards come from different runs (\(how)); keep one run's shards per folder"
        }
    }
}

/// Whole-file writes that never leave a half-written file.
public enum AtomicFile {
    /// Writes `data` to `path` through a temporary file and a rename; throws `ReportError.unwritable` naming the path.
    public static func write(_ data: Data, to path: String) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw ReportError.unwritable(path, (error as NSError).localizedDescription)
        }
    }

    /// Writes `text` as UTF-8, as `write(_:to:)` does.
    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }
}
