import Foundation

@testable import SoftmaxModels

/// Writes GGUF v3 files for the tests: metadata of every value type, tensors of any type from raw
/// block bytes, and hooks to break each part (so each malformed-file error can be produced).
struct GGUFWriter {
    enum Value {
        case u8(UInt8), i8(Int8), u16(UInt16), i16(Int16), u32(UInt32), i32(Int32), f32(Float), bool(Bool)
        case string(String), array(UInt32, [Value]), u64(UInt64), i64(Int64), f64(Double)

        var typeCode: UInt32 {
            switch self {
            case .u8: 0
            case .i8: 1
            case .u16: 2
            case .i16: 3
            case .u32: 4
            case .i32: 5
            case .f32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .u64: 10
            case .i64: 11
            case .f64: 12
            }
        }
    }

    struct Tensor {
        var name: String
        var dimensions: [UInt64]
        var type: UInt32
        var data: [UInt8]
        /// Replaces the computed offset (relative to the data section).
        var offset: UInt64? = nil
    }

    var version: UInt32 = 3
    var metadata: [(String, Value)] = []
    var tensors: [Tensor] = []
    var alignment = 32

    static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    static func encode(_ v: Value) -> [UInt8] {
        switch v {
        case let .u8(x): [x]
        case let .i8(x): [UInt8(bitPattern: x)]
        case let .u16(x): le(x)
        case let .i16(x): le(x)
        case let .u32(x): le(x)
        case let .i32(x): le(x)
        case let .f32(x): le(x.bitPattern)
        case let .bool(x): [x ? 1 : 0]
        case let .string(s): string(s)
        case let .array(type, values): le(type) + le(UInt64(values.count)) + values.flatMap(encode)
        case let .u64(x): le(x)
        case let .i64(x): le(x)
        case let .f64(x): le(x.bitPattern)
        }
    }

    /// The file's bytes; tensor data placed at aligned offsets in order unless an offset is given.
    func bytes() -> [UInt8] {
        var out = Array("GGUF".utf8) + Self.le(version) + Self.le(UInt64(tensors.count)) + Self.le(UInt64(metadata.count))
        for (key, value) in metadata { out += Self.string(key) + Self.le(value.typeCode) + Self.encode(value) }
        var offsets: [UInt64] = []
        var next: UInt64 = 0
        for t in tensors {
            offsets.append(t.offset ?? next)
            next = (next + UInt64(t.data.count) + UInt64(alignment - 1)) / UInt64(alignment) * UInt64(alignment)
        }
        for (t, offset) in zip(tensors, offsets) {
            out += Self.string(t.name) + Self.le(UInt32(t.dimensions.count)) + t.dimensions.flatMap { Self.le($0) }
            out += Self.le(t.type) + Self.le(offset)
        }
        out += [UInt8](repeating: 0, count: (alignment - out.count % alignment) % alignment)
        let dataStart = out.count
        for (t, offset) in zip(tensors, offsets) {
            let at = dataStart + Int(offset)
            if out.count < at + t.data.count { out += [UInt8](repeating: 0, count: at + t.data.count - out.count) }
            out.replaceSubrange(at..<(at + t.data.count), with: t.data)
        }
        return out
    }

    func write(to path: String) throws { try Data(bytes()).write(to: URL(fileURLWithPath: path)) }
}
