import Foundation

/// The header of a safetensors file (huggingface/safetensors): an 8-byte little-endian length
/// `N`, then `N` bytes of JSON mapping each tensor name to `{"dtype", "shape", "data_offsets":
/// [begin, end]}` (offsets relative to the byte buffer after the header), plus an optional
/// `"__metadata__"` object of strings.
///
/// Validation is strict, so a corrupted or hostile file fails here with an error naming the file
/// and the key, never later as an out-of-bounds read: the length fits the file, the JSON is an
/// object, every dtype is known, shapes are non-negative and their element count × dtype size
/// equals `end − begin` (without overflow), offsets lie inside the buffer, and no two tensors
/// overlap. Self-contained (Foundation only) so the fuzzer builds it alone.
public struct SafeTensorsHeader: Sendable, Equatable {
    /// The element types the format defines.
    public enum DType: String, Sendable, CaseIterable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16, .bf16, .i16: 2
            case .i8, .u8, .bool: 1
            }
        }
    }

    /// One tensor of the header.
    public struct Entry: Sendable, Equatable {
        /// Its name.
        public let name: String
        /// Its element type.
        public let dtype: DType
        /// Its shape, outermost dimension first.
        public let shape: [Int]
        /// Byte range inside the data buffer.
        public let offsets: Range<Int>

        /// Elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Tensors in file order (by offset).
    public let entries: [Entry]
    /// The `__metadata__` object's string pairs.
    public let metadata: [String: String]
    /// Bytes before the data buffer: 8 + N.
    public let dataStart: Int

    /// Headers above this are refused (the reference implementation's limit is 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// Parses and validates the header of a file of `fileSize` bytes whose first bytes are `bytes`
    /// (at least the header; more is ignored).
    public static func parse(_ bytes: UnsafeRawBufferPointer, fileSize: Int, file: String) throws -> SafeTensorsHeader {
        func fail(_ key: String?, _ problem: String) -> SafeTensorsError { .invalid(file: file, key: key, problem) }
        guard bytes.count >= 8, fileSize >= 8 else { throw fail(nil, "file of \(fileSize) bytes is shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard n <= UInt64(maximumHeaderBytes) else { throw fail(nil, "header length \(n) exceeds the \(maximumHeaderBytes)-byte limit") }
        let headerLength = Int(n)
        guard 8 + headerLength <= fileSize else { throw fail(nil, "header length \(headerLength) runs past the end of the \(fileSize)-byte file") }
        guard 8 + headerLength <= bytes.count else { throw fail(nil, "only \(bytes.count) bytes given for a \(headerLength)-byte header") }
        let json = Data(bytes[8..<(8 + headerLength)])
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: json) } catch { throw fail(nil, "header is not valid JSON") }
        guard let dictionary = object as? [String: Any] else { throw fail(nil, "header JSON is not an object") }
        let dataSize = fileSize - 8 - headerLength
        var entries = [Entry](), metadata = [String: String]()
        for (name, value) in dictionary {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail(name, "__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail(name, "metadata value of '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any] else { throw fail(name, "entry is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail(name, "missing dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail(name, "unsupported dtype '\(dtypeName)' (expected one of \(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let shapeValues = info["shape"] as? [Any] else { throw fail(name, "missing shape") }
            var shape = [Int](), count = 1
            for s in shapeValues {
                guard let d = integer(s), d >= 0 else { throw fail(name, "shape \(shapeValues) has a dimension that is not a non-negative integer") }
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataSize else { throw fail(name, "shape \(shapeValues) holds more elements than the file") }
                shape.append(d)
                count = product
            }
            guard let offsets = info["data_offsets"] as? [Any], offsets.count == 2, let begin = integer(offsets[0]), let end = integer(offsets[1]) else {
                throw fail(name, "data_offsets must be [begin, end]")
            }
            guard 0 <= begin, begin <= end, end <= dataSize else {
                throw fail(name, "data_offsets [\(begin), \(end)] lie outside the \(dataSize)-byte data buffer")
            }
            guard end - begin == count * dtype.size else {
                throw fail(name, "shape \(shape) of \(dtype.rawValue) needs \(count * dtype.size) bytes, data_offsets give \(end - begin)")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, offsets: begin..<end))
        }
        entries.sort { ($0.offsets.lowerBound, $0.offsets.upperBound, $0.name) < ($1.offsets.lowerBound, $1.offsets.upperBound, $1.name) }
        for (a, b) in zip(entries, entries.dropFirst()) where a.offsets.upperBound > b.offsets.lowerBound {
            throw fail(b.name, "bytes \(b.offsets) overlap '\(a.name)' at \(a.offsets)")
        }
        return SafeTensorsHeader(entries: entries, metadata: metadata, dataStart: 8 + headerLength)
    }

    /// A JSON number that is an exact integer (JSONSerialization gives Int, Double or NSNumber).
    static func integer(_ v: Any) -> Int? {
        if let i = v as? Int { return i }
        if let d = v as? Double, d.rounded(.towardZero) == d, abs(d) < 9e15 { return Int(d) }
        return nil
    }
}

/// Errors from reading safetensors files, naming the file, the key, what was expected and found.
public enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, String)
    case invalid(file: String, key: String?, String)
    case missing(file: String, key: String)
    case shape(file: String, key: String, expected: [Int], actual: [Int])
    case dtype(file: String, key: String, expected: String, actual: String)
    case unused(file: String, keys: [String])

    /// The error as one line naming the file and tensor.
    public var description: String {
        switch self {
        case let .unreadable(file, why): "\(file): \(why)"
        case let .invalid(file, key, why): "\(file): \(key.map { "tensor '\($0)': " } ?? "")\(why)"
        case let .missing(file, key): "\(file): tensor '\(key)' is missing"
        case let .shape(file, key, expected, actual): "\(file): tensor '\(key)' has shape \(actual), expected \(expected)"
        case let .dtype(file, key, expected, actual): "\(file): tensor '\(key)' has dtype \(actual), expected \(expected)"
        case let .unused(file, keys):
            "\(file): \(keys.count) tensor(s) not used by the model: \(keys.prefix(5).joined(separator: ", "))\(keys.count > 5 ? ", …" : "")"
        }
    }
}
