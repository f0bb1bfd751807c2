// The `.npy` header parser. Self-contained (no other SoftmaxKit types) so that the fuzz target
// compiles it alone: `Fuzz/run-npy-fuzz.sh`.

/// The element types SoftmaxKit reads from `.npy` files (little-endian, C order).
public enum NpyElementType: String, CaseIterable, Sendable {
    case float16 = "<f2", float32 = "<f4", float64 = "<f8", int32 = "<i4", int64 = "<i8", bool = "|b1"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float16: 2
        case .float32, .int32: 4
        case .float64, .int64: 8
        case .bool: 1
        }
    }
}

/// Why an `.npy` file cannot be read.
public enum NpyFormatError: Error, Equatable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(major: UInt8, minor: UInt8)
    case truncatedHeader(needed: Int, available: Int)
    case malformedHeader(String)
    case fortranOrder
    case bigEndian(String)
    case unsupportedDType(String)
    case sizeMismatch(expectedBytes: Int, actualBytes: Int)

    /// The error as one line naming what is at fault.
    public var description: String {
        switch self {
        case .badMagic: return "not a NumPy .npy file (bad magic bytes; expected \\x93NUMPY)"
        case let .unsupportedVersion(major, minor): return "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are read)"
        case let .truncatedHeader(needed, available): return "truncated header: needs \(needed) bytes, file has \(available)"
        case let .malformedHeader(why): return "malformed header: \(why)"
        case .fortranOrder: return "Fortran-ordered arrays are not supported; save with np.ascontiguousarray(a)"
        case let .bigEndian(descr): return "big-endian dtype '\(descr)' is not supported; convert with a.astype(a.dtype.newbyteorder('<'))"
        case let .unsupportedDType(descr):
            return "dtype '\(descr)' is not supported (float16/32/64, int32/64 and bool are)"
        case let .sizeMismatch(expected, actual):
            return actual < expected
                ? "truncated data: the header promises \(expected) bytes, the file has \(actual)"
                : "the header promises \(expected) bytes of data but the file has \(actual): the header lies about the size"
        }
    }
}

/// A parsed `.npy` header.
public struct NpyHeader: Equatable, Sendable {
    /// The element type.
    public var elementType: NpyElementType
    /// The dimensions, C order.
    public var shape: [Int]
    /// Byte offset of the data.
    public var dataOffset: Int

    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// The bytes of data after the header.
    public var dataBytes: Int { count * elementType.size }

    /// A header for `shape` elements of `elementType`.
    public init(elementType: NpyElementType, shape: [Int], dataOffset: Int = 0) {
        self.elementType = elementType
        self.shape = shape
        self.dataOffset = dataOffset
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Parses the header at the start of `bytes` and checks that the data that follows has exactly
    /// the size the header states.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> NpyHeader {
        guard bytes.count >= 8 else {
            if bytes.count < 6 || !zip(bytes, magic).allSatisfy({ $0 == $1 }) { throw NpyFormatError.badMagic }
            throw NpyFormatError.truncatedHeader(needed: 10, available: bytes.count)
        }
        guard zip(bytes.prefix(6), magic).allSatisfy({ $0 == $1 }) else { throw NpyFormatError.badMagic }
        let (major, minor) = (bytes[6], bytes[7])
        let lengthBytes: Int
        switch major {
        case 1: lengthBytes = 2
        case 2, 3: lengthBytes = 4
        default: throw NpyFormatError.unsupportedVersion(major: major, minor: minor)
        }
        guard minor == 0 else { throw NpyFormatError.unsupportedVersion(major: major, minor: minor) }
        guard bytes.count >= 8 + lengthBytes else { throw NpyFormatError.truncatedHeader(needed: 8 + lengthBytes, available: bytes.count) }
        var headerLength = 0
        for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
        let start = 8 + lengthBytes
        let (end, overflow) = start.addingReportingOverflow(headerLength)
        guard !overflow, end <= bytes.count else { throw NpyFormatError.truncatedHeader(needed: end, available: bytes.count) }
        let text = try decodeText(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), utf8: major == 3)
        var header = try parseDictionary(text)
        header.dataOffset = end
        let available = bytes.count - end
        guard available == header.dataBytes else {
            throw NpyFormatError.sizeMismatch(expectedBytes: header.dataBytes, actualBytes: available)
        }
        return header
    }

    static func decodeText(_ raw: UnsafeRawBufferPointer, utf8: Bool) throws -> String {
        if utf8 {
            guard let s = String(validating: raw, as: UTF8.self) else { throw NpyFormatError.malformedHeader("invalid UTF-8") }
            return s
        }
        guard raw.allSatisfy({ $0 < 0x80 }) else { throw NpyFormatError.malformedHeader("non-ASCII bytes in a version 1/2 header") }
        return String(decoding: raw, as: UTF8.self)
    }

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
    static func parseDictionary(_ text: String) throws -> NpyHeader {
        var p = HeaderScanner(Array(text.utf8))
        try p.expect(UInt8(ascii: "{"))
        var descr: String?, fortran: Bool?, shape: [Int]?
        while true {
            p.skipSpace()
            if p.consume(UInt8(ascii: "}")) { break }
            let key = try p.string()
            p.skipSpace()
            try p.expect(UInt8(ascii: ":"))
            p.skipSpace()
            switch key {
            case "descr": descr = try p.string()
            case "fortran_order": fortran = try p.boolean()
            case "shape": shape = try p.tuple()
            default: throw NpyFormatError.malformedHeader("unexpected key '\(key)'")
            }
            p.skipSpace()
            if p.consume(UInt8(ascii: ",")) { continue }
            p.skipSpace()
            try p.expect(UInt8(ascii: "}"))
            break
        }
        p.skipSpace()
        guard p.atEnd else { throw NpyFormatError.malformedHeader("trailing characters after the dictionary") }
        guard let descr, let fortran, let shape else {
            throw NpyFormatError.malformedHeader("the header must give descr, fortran_order and shape")
        }
        if fortran && shape.count > 1 { throw NpyFormatError.fortranOrder }
        let normalized = descr.hasPrefix("=") ? "<" + descr.dropFirst() : descr == "<b1" || descr == "=b1" ? "|b1" : descr
        guard let type = NpyElementType(rawValue: normalized) else {
            if descr.hasPrefix(">") { throw NpyFormatError.bigEndian(descr) }
            throw NpyFormatError.unsupportedDType(descr)
        }
        var count = 1
        for d in shape {
            let (c, o) = count.multipliedReportingOverflow(by: d)
            guard !o, c <= Int(Int32.max) * 64 else { throw NpyFormatError.malformedHeader("shape \(shape) is too large") }
            count = c
        }
        return NpyHeader(elementType: type, shape: shape)
    }

    /// The complete header (magic, version, length, dictionary, padding) for these elements:
    /// version 1.0 when the dictionary fits in 65535 bytes, else 2.0; padded to 64 bytes.
    public func encoded() -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = Array("{'descr': '\(elementType.rawValue)', 'fortran_order': False, 'shape': \(dims), }".utf8)
        let version1 = dict.count + 10 + 64 <= 65535
        let prefix = version1 ? 10 : 12
        let padded = (prefix + dict.count + 1 + 63) / 64 * 64
        dict += Array(repeating: UInt8(ascii: " "), count: padded - prefix - dict.count - 1)
        dict.append(UInt8(ascii: "\n"))
        var out = NpyHeader.magic + [version1 ? 1 : 2, 0]
        let n = dict.count
        out += version1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : (0..<4).map { UInt8((n >> (8 * $0)) & 0xFF) }
        return out + dict
    }
}

/// A cursor over the ASCII of a header dictionary.
struct HeaderScanner {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }

    mutating func consume(_ c: UInt8) -> Bool {
        if i < bytes.count, bytes[i] == c { i += 1; return true }
        return false
    }

    mutating func expect(_ c: UInt8) throws {
        guard consume(c) else {
            let found = i < bytes.count ? "'\(Character(Unicode.Scalar(bytes[i])))'" : "the end"
            throw NpyFormatError.malformedHeader("expected '\(Character(Unicode.Scalar(c)))' at offset \(i), found \(found)")
        }
    }

    mutating func string() throws -> String {
        guard i < bytes.count, bytes[i] == 0x27 || bytes[i] == 0x22 else { throw NpyFormatError.malformedHeader("expected a quoted string at offset \(i)") }
        let quote = bytes[i]
        i += 1
        let start = i
        while i < bytes.count, bytes[i] != quote { i += 1 }
        guard i < bytes.count else { throw NpyFormatError.malformedHeader("unterminated string") }
        let s = String(decoding: bytes[start..<i], as: UTF8.self)
        i += 1
        return s
    }

    mutating func boolean() throws -> Bool {
        if matches("True") { return true }
        if matches("False") { return false }
        throw NpyFormatError.malformedHeader("expected True or False at offset \(i)")
    }

    mutating func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        i += w.count
        return true
    }

    mutating func tuple() throws -> [Int] {
        try expect(UInt8(ascii: "("))
        var dims: [Int] = []
        while true {
            skipSpace()
            if consume(UInt8(ascii: ")")) { return dims }
            let start = i
            while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
            // Python 2 era files may write long integers as 3L.
            let digits = String(decoding: bytes[start..<i], as: UTF8.self)
            _ = consume(UInt8(ascii: "L"))
            if digits.count > 18 {
                throw NpyFormatError.malformedHeader("dimension \(digits) at offset \(start) is larger than any array this reads (at most 18 digits)")
            }
            guard !digits.isEmpty, let d = Int(digits) else {
                throw NpyFormatError.malformedHeader("expected a non-negative dimension at offset \(start)")
            }
            dims.append(d)
            skipSpace()
            if consume(UInt8(ascii: ",")) { continue }
            skipSpace()
            try expect(UInt8(ascii: ")"))
            return dims
        }
    }
}
