/// A safetensors file, memory-mapped read-only: tensors are read in place, converted to Float
/// (F32 as is, F16 and BF16 widened exactly, F64 rounded) only when asked for.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The file's path, for errors.
    public let path: String
    /// The validated header.
    public let header: SafeTensorsHeader
    private let file: MappedFile
    private var base: UnsafeRawPointer { file.bytes.baseAddress! }
    private let byName: [String: SafeTensorsHeader.Entry]

    /// Maps the file and validates its header; throws naming the file and the fault.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path) { SafeTensorsError.unreadable(file: path, $0) }
        let size = file.bytes.count
        guard size >= 8 else { throw SafeTensorsError.invalid(file: path, key: nil, "file of \(size) bytes is shorter than the 8-byte header length") }
        header = try SafeTensorsHeader.parse(file.bytes, fileSize: size, file: path)
        byName = Dictionary(header.entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Tensor names in file order.
    public var names: [String] { header.entries.map(\.name) }

    /// The tensor `name`; throws naming the file when it is absent.
    public func entry(_ name: String) throws -> SafeTensorsHeader.Entry {
        guard let e = byName[name] else { throw SafeTensorsError.missing(file: path, key: name) }
        return e
    }

    /// The tensor as Float, after checking its shape.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let e = try entry(name)
        guard e.shape == shape else { throw SafeTensorsError.shape(file: path, key: name, expected: shape, actual: e.shape) }
        let p = base + header.dataStart + e.offsets.lowerBound
        switch e.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: e.count) { buffer, count in
                if let out = buffer.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: p, byteCount: 4 * e.count) }
                count = e.count
            }
        case .f16:
            return (0..<e.count).map { Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .bf16:
            return (0..<e.count).map { Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16) }
        case .f64:
            return (0..<e.count).map { Float(p.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self)) }
        default:
            throw SafeTensorsError.dtype(file: path, key: name, expected: "F32, F16, BF16 or F64", actual: e.dtype.rawValue)
        }
    }

    /// An integer tensor (I64 or I32) as Int, after checking its shape.
    public func integers(_ name: String, shape: [Int]) throws -> [Int] {
        let e = try entry(name)
        guard e.shape == shape else { throw SafeTensorsError.shape(file: path, key: name, expected: shape, actual: e.shape) }
        let p = base + header.dataStart + e.offsets.lowerBound
        switch e.dtype {
        case .i64: return (0..<e.count).map { Int(p.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .i32: return (0..<e.count).map { Int(p.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        default: throw SafeTensorsError.dtype(file: path, key: name, expected: "I64 or I32", actual: e.dtype.rawValue)
        }
    }
}
