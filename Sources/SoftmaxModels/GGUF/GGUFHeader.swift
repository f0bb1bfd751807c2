/// The header of a GGUF file (versions 2 and 3): metadata and tensor descriptions, parsed strictly
/// from the file's bytes.
///
/// Layout (little-endian): `GGUF`, version (u32), tensor count (u64), metadata count (u64); then
/// each metadata pair — a key (u64 length + UTF-8), a value type (u32) and the value; then each
/// tensor — name, dimension count (u32, ≤ 4), dimensions (u64 each, the contiguous one first),
/// type (u32, `GGMLType`) and offset (u64, from the data section); the data section starts at the
/// next multiple of `general.alignment` (default 32).
///
/// Refused, with the key or tensor named and what was expected: a wrong magic or version; counts,
/// lengths and sizes that overrun the file (checked before anything is allocated, with
/// overflow-checked arithmetic); an unknown value or tensor type; a key or tensor name given twice;
/// a tensor whose row is not a whole number of blocks, whose offset is not aligned, that extends
/// past the end of the file, or that overlaps another. Foundation-free, so the fuzzer builds it
/// alone.
///
/// Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
public struct GGUFHeader: Sendable {
    /// A metadata value.
    public indirect enum Value: Sendable, Equatable {
        case uint(UInt64)
        case int(Int64)
        case float(Double)
        case bool(Bool)
        case string(String)
        case array([Value])

        /// The value as a whole number, if it is one.
        public var integer: Int? {
            switch self {
            case let .uint(u): Int(exactly: u)
            case let .int(i): Int(exactly: i)
            default: nil
            }
        }
    }

    /// One tensor's description.
    public struct TensorInfo: Sendable, Equatable {
        /// Its name.
        public let name: String
        /// Its dimensions, the contiguous one first (as GGUF lists them).
        public let dimensions: [Int]
        /// Its element type.
        public let type: GGMLType
        /// Byte range inside the file.
        public let bytes: Range<Int>

        /// Elements.
        public var count: Int { dimensions.reduce(1, *) }
    }

    /// The format version (2 or 3).
    public let version: UInt32
    /// Metadata pairs in file order.
    public let metadata: [(key: String, value: Value)]
    /// Tensors in file order.
    public let tensors: [TensorInfo]
    /// The data section's alignment.
    public let alignment: Int
    /// Where the data section starts.
    public let dataOffset: Int

    /// The metadata value for `key`.
    public func value(_ key: String) -> Value? { metadata.first { $0.key == key }?.value }

    /// Parses and validates the header of a file whose bytes are `bytes`; `file` names it in errors.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> GGUFHeader {
        var reader = Reader(bytes: bytes, file: file)
        let magic = try reader.fixed(UInt32.self, "magic")
        guard magic == 0x4655_4747 else {  // "GGUF"
            throw GGUFError.invalid(file: file, key: nil, "not a GGUF file: the magic is \(hex(magic)), expected 0x46554747 ('GGUF')")
        }
        let version = try reader.fixed(UInt32.self, "version")
        guard version == 2 || version == 3 else {
            throw GGUFError.invalid(file: file, key: nil, "GGUF version \(version); versions 2 and 3 are read")
        }
        let tensorCount = try reader.count("tensor count", minimumBytesEach: 8 + 4 + 8 + 4 + 8)
        let metadataCount = try reader.count("metadata count", minimumBytesEach: 8 + 4 + 1)
        var metadata: [(key: String, value: Value)] = []
        var keys = Set<String>()
        for _ in 0..<metadataCount {
            let key = try reader.string("a metadata key")
            guard keys.insert(key).inserted else { throw GGUFError.invalid(file: file, key: key, "the key is given twice") }
            let type = try reader.fixed(UInt32.self, key)
            metadata.append((key, try reader.value(type: type, key: key, depth: 0)))
        }
        var alignment = 32
        if let given = metadata.first(where: { $0.key == "general.alignment" })?.value {
            guard case let .uint(a) = given, a > 0, a <= 1 << 20, a & (a - 1) == 0 else {
                throw GGUFError.invalid(file: file, key: "general.alignment", "must be a power of two up to 2²⁰, got \(given)")
            }
            alignment = Int(a)
        }
        var infos: [(name: String, dimensions: [Int], type: GGMLType, offset: Int)] = []
        var names = Set<String>()
        for _ in 0..<tensorCount {
            let name = try reader.string("a tensor name")
            guard names.insert(name).inserted else { throw GGUFError.invalid(file: file, key: name, "the tensor is given twice") }
            let rank = try reader.fixed(UInt32.self, name)
            guard (1...4).contains(rank) else { throw GGUFError.invalid(file: file, key: name, "\(rank) dimensions; 1 to 4 are allowed") }
            var dimensions: [Int] = []
            for _ in 0..<rank {
                let d = try reader.fixed(UInt64.self, name)
                guard let n = Int(exactly: d), n <= Int(Int32.max) else {
                    throw GGUFError.invalid(file: file, key: name, "dimension \(d) is larger than any file")
                }
                dimensions.append(n)
            }
            let rawType = try reader.fixed(UInt32.self, name)
            guard let type = GGMLType(rawValue: rawType) else {
                throw GGUFError.invalid(file: file, key: name, "unknown tensor type \(rawType)")
            }
            let offset = try reader.fixed(UInt64.self, name)
            guard let o = Int(exactly: offset), o % alignment == 0 else {
                throw GGUFError.invalid(file: file, key: name, "data offset \(offset) is not a multiple of the alignment \(alignment)")
            }
            infos.append((name, dimensions, type, o))
        }
        let (padded, overflow) = reader.offset.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw GGUFError.invalid(file: file, key: nil, "the header overruns the file") }
        let dataOffset = padded / alignment * alignment
        var tensors: [TensorInfo] = []
        for info in infos {
            guard info.dimensions[0] % info.type.blockSize == 0 else {
                throw GGUFError.invalid(
                    file: file, key: info.name,
                    "rows of \(info.dimensions[0]) values are not whole \(info.type.name) blocks of \(info.type.blockSize)")
            }
            var count = 1
            for d in info.dimensions {
                let (c, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw GGUFError.invalid(file: file, key: info.name, "\(info.dimensions) holds more elements than any file") }
                count = c
            }
            let (size, o1) = (count / info.type.blockSize).multipliedReportingOverflow(by: info.type.bytesPerBlock)
            let (start, o2) = dataOffset.addingReportingOverflow(info.offset)
            let (end, o3) = start.addingReportingOverflow(size)
            guard !o1, !o2, !o3, end <= bytes.count else {
                throw GGUFError.invalid(
                    file: file, key: info.name,
                    "\(info.type.name) \(info.dimensions) needs bytes \(start)…\(o1 || o2 || o3 ? "(overflow)" : String(end)), the file has \(bytes.count)")
            }
            tensors.append(TensorInfo(name: info.name, dimensions: info.dimensions, type: info.type, bytes: start..<end))
        }
        let byStart = tensors.sorted { $0.bytes.lowerBound < $1.bytes.lowerBound }
        for (a, b) in zip(byStart, byStart.dropFirst()) where a.bytes.upperBound > b.bytes.lowerBound {
            throw GGUFError.invalid(file: file, key: b.name, "its data overlaps \(a.name)'s")
        }
        return GGUFHeader(version: version, metadata: metadata, tensors: tensors, alignment: alignment, dataOffset: dataOffset)
    }

    /// Reads little-endian fields from the front of the file, checking every length against what remains.
    struct Reader {
        let bytes: UnsafeRawBufferPointer
        let file: String
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func fixed<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
            guard remaining >= MemoryLayout<T>.size else {
                throw GGUFError.invalid(file: file, key: what, "truncated: needs \(MemoryLayout<T>.size) more bytes at \(offset), the file has \(remaining)")
            }
            var v: T = 0
            for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
            offset += MemoryLayout<T>.size
            return v
        }

        /// A count whose items each take at least `minimumBytesEach`: more than the rest of the file can hold is refused.
        mutating func count(_ what: String, minimumBytesEach: Int) throws -> Int {
            let n = try fixed(UInt64.self, what)
            guard n <= UInt64(remaining / minimumBytesEach) else {
                throw GGUFError.invalid(file: file, key: nil, "\(what) \(n) cannot fit in the \(remaining) bytes that follow")
            }
            return Int(n)
        }

        mutating func string(_ what: String) throws -> String {
            let n = try fixed(UInt64.self, what)
            guard n <= UInt64(remaining) else {
                throw GGUFError.invalid(file: file, key: what, "a string of \(n) bytes at \(offset), the file has \(remaining) left")
            }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n))])
            offset += Int(n)
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw GGUFError.invalid(file: file, key: what, "a string that is not UTF-8 at \(offset - Int(n))")
            }
            return s
        }

        /// Element sizes of the fixed-width value types (strings and arrays are at least 8 bytes).
        static func minimumSize(of type: UInt32) -> Int? {
            switch type {
            case 0, 1, 7: 1
            case 2, 3: 2
            case 4, 5, 6: 4
            case 8, 9, 10, 11, 12: 8
            default: nil
            }
        }

        mutating func value(type: UInt32, key: String, depth: Int) throws -> Value {
            switch type {
            case 0: return .uint(UInt64(try fixed(UInt8.self, key)))
            case 1: return .int(Int64(try fixed(Int8.self, key)))
            case 2: return .uint(UInt64(try fixed(UInt16.self, key)))
            case 3: return .int(Int64(try fixed(Int16.self, key)))
            case 4: return .uint(UInt64(try fixed(UInt32.self, key)))
            case 5: return .int(Int64(try fixed(Int32.self, key)))
            case 6: return .float(Double(Float(bitPattern: try fixed(UInt32.self, key))))
            case 7:
                let b = try fixed(UInt8.self, key)
                guard b <= 1 else { throw GGUFError.invalid(file: file, key: key, "a bool of value \(b)") }
                return .bool(b == 1)
            case 8: return .string(try string(key))
            case 9:
                guard depth < 4 else { throw GGUFError.invalid(file: file, key: key, "arrays nested more than four deep") }
                let elementType = try fixed(UInt32.self, key)
                guard let size = Self.minimumSize(of: elementType) else {
                    throw GGUFError.invalid(file: file, key: key, "an array of unknown value type \(elementType)")
                }
                let n = try count(key, minimumBytesEach: size)
                var values: [Value] = []
                values.reserveCapacity(n)
                for _ in 0..<n { values.append(try value(type: elementType, key: key, depth: depth + 1)) }
                return .array(values)
            case 10: return .uint(try fixed(UInt64.self, key))
            case 11: return .int(Int64(bitPattern: try fixed(UInt64.self, key)))
            case 12: return .float(Double(bitPattern: try fixed(UInt64.self, key)))
            default: throw GGUFError.invalid(file: file, key: key, "unknown value type \(type)")
            }
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    return "0x" + String((0..<8).reversed().map { digits[Int((v >> (4 * UInt32($0))) & 0xF)] })
}

/// A GGUF file that cannot be read, naming the file and the key or tensor at fault.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened or mapped.
    case unreadable(file: String, String)
    /// The file's contents break the format or the model's expectations.
    case invalid(file: String, key: String?, String)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case let .unreadable(file, why): "\(file): cannot read: \(why)"
        case let .invalid(file, key?, why): "\(file): \(key): \(why)"
        case let .invalid(file, nil, why): "\(file): \(why)"
        }
    }
}
