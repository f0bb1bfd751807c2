import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A GGUF file, memory-mapped: its validated header (`GGUFHeader`), typed access to its metadata,
/// and each tensor dequantized to Float on request (`GGUFDequantize`), its shape checked against
/// what the model expects.
public final class GGUFFile: @unchecked Sendable {
    /// The file's path, for errors.
    public let path: String
    /// The validated header.
    public let header: GGUFHeader
    private let file: MappedFile
    private let byName: [String: GGUFHeader.TensorInfo]

    /// Maps the file and validates its header; throws naming the file and the fault.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path) { GGUFError.unreadable(file: path, $0) }
        guard file.bytes.count >= 24 else {
            throw GGUFError.invalid(file: path, key: nil, "a file of \(file.bytes.count) bytes is shorter than a GGUF header")
        }
        header = try GGUFHeader.parse(file.bytes, file: path)
        byName = Dictionary(header.tensors.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Tensor names in file order.
    public var tensorNames: [String] { header.tensors.map(\.name) }

    /// The description of tensor `name`; throws naming the file when it is absent.
    public func tensor(_ name: String) throws -> GGUFHeader.TensorInfo {
        guard let t = byName[name] else { throw GGUFError.invalid(file: path, key: name, "no such tensor in the file") }
        return t
    }

    /// Tensor `name` dequantized to Float, in file order (the first dimension contiguous); throws
    /// when it is absent, its dimensions differ from `dimensions` (GGUF order) or its type is not
    /// one `GGUFDequantize` reads.
    public func floats(_ name: String, dimensions: [Int]) throws -> [Float] {
        let t = try tensor(name)
        guard t.dimensions == dimensions else {
            throw GGUFError.invalid(file: path, key: name, "dimensions \(t.dimensions), expected \(dimensions)")
        }
        guard t.type.isReadable else {
            throw GGUFError.invalid(file: path, key: name, "type \(t.type.name) is not read (F32, F16, BF16, Q4_0, Q4_1 and Q8_0 are)")
        }
        let raw = UnsafeRawBufferPointer(rebasing: file.bytes[t.bytes])
        return [Float](unsafeUninitializedCapacity: t.count) { out, initialized in
            GGUFDequantize.dequantize(raw, type: t.type, into: out)
            initialized = t.count
        }
    }

    /// The metadata value `key`; throws naming the key when it is absent.
    public func value(_ key: String) throws -> GGUFHeader.Value {
        guard let v = header.value(key) else { throw GGUFError.invalid(file: path, key: key, "missing from the metadata") }
        return v
    }

    /// The metadata value `key` as a whole number.
    public func integer(_ key: String) throws -> Int {
        guard let n = try value(key).integer else { throw GGUFError.invalid(file: path, key: key, "expected a whole number, got \(try value(key))") }
        return n
    }

    /// The metadata value `key` as a real number (any numeric type).
    public func real(_ key: String) throws -> Double {
        switch try value(key) {
        case let .float(d): return d
        case let .uint(u): return Double(u)
        case let .int(i): return Double(i)
        case let other: throw GGUFError.invalid(file: path, key: key, "expected a number, got \(other)")
        }
    }

    /// The metadata value `key` as a string.
    public func string(_ key: String) throws -> String {
        guard case let .string(s) = try value(key) else { throw GGUFError.invalid(file: path, key: key, "expected a string, got \(try value(key))") }
        return s
    }

    /// The metadata value `key` as an array of strings.
    public func strings(_ key: String) throws -> [String] {
        guard case let .array(values) = try value(key) else { throw GGUFError.invalid(file: path, key: key, "expected an array of strings") }
        return try values.map {
            guard case let .string(s) = $0 else { throw GGUFError.invalid(file: path, key: key, "expected an array of strings, found \($0)") }
            return s
        }
    }
}
